"""moderation: group mutes and slow mode

Revision ID: 0015
Revises: 0014

memberships.muted_until: a group admin muted this member until then (null: not muted);
memberships.last_sent_at: the member's last message in the chat, which slow mode measures
from; chats.slow_mode_seconds: one message per member per that many seconds (0: off);
kept_mutes: the mute of someone who left while it held, taken back when they return. Plain
ADD COLUMNs: neither table is rebuilt.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "chats",
        sa.Column("slow_mode_seconds", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "memberships", sa.Column("muted_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "memberships", sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "kept_mutes",
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("muted_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_kept_mutes_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_kept_mutes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name=op.f("pk_kept_mutes")),
    )


def downgrade() -> None:
    op.drop_table("kept_mutes")
    # Plain DROP COLUMNs as well (SQLite >= 3.35): no table is rebuilt.
    op.drop_column("memberships", "last_sent_at")
    op.drop_column("memberships", "muted_until")
    op.drop_column("chats", "slow_mode_seconds")

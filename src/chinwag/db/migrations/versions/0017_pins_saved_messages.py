"""pins and saved messages

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pins",
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("pinned_by", sa.Integer(), nullable=True),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_pins_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_pins_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pinned_by"], ["users.id"], name=op.f("fk_pins_pinned_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_pins")),
    )
    op.create_index("ix_pins_chat_id_pinned_at", "pins", ["chat_id", "pinned_at"])
    op.create_table(
        "saved_messages",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_messages_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_saved_messages_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "message_id", name=op.f("pk_saved_messages")),
    )
    op.create_index("ix_saved_messages_user_id_saved_at", "saved_messages", ["user_id", "saved_at"])


def downgrade() -> None:
    op.drop_table("saved_messages")
    op.drop_table("pins")

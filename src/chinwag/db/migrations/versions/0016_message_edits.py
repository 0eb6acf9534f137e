"""messages: edit history

Revision ID: 0016
Revises: 0015

message_edits: each version of a message that an edit replaced (its text and rendered html as
they were, when that version was written, when and by whom it was replaced). The rows go with
their message: ON DELETE CASCADE for retention's hard delete; a delete for everyone (a
tombstone) removes them itself. Messages edited before this revision have no versions kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "message_edits",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_edits_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edited_by"],
            ["users.id"],
            name=op.f("fk_message_edits_edited_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_edits")),
    )
    op.create_index(
        "ix_message_edits_message_id_id", "message_edits", ["message_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_message_edits_message_id_id", table_name="message_edits")
    op.drop_table("message_edits")

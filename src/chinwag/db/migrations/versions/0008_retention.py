"""retention: a group's own retention (chats.retention_days), the index the sweep walks
(messages.created_at) and the leases that keep a background job to one process at a time

Revision ID: 0008
Revises: 0007

The index is a plain CREATE INDEX on both dialects: the messages table is not rebuilt, so
the search triggers and view of 0003 stay as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: chats is not rebuilt (every chat table refers to it).
    op.add_column("chats", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.create_index("ix_messages_created_at", "messages", ["created_at"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_index("ix_messages_created_at", table_name="messages")
    op.drop_column("chats", "retention_days")

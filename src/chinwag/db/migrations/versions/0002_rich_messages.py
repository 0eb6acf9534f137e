"""rich messages: rendered html, mentions, reactions, files and attachments, avatars

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # ADD COLUMN in place on both backends (no table rebuild on SQLite).
    op.add_column("messages", sa.Column("html", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("mentions", sa.JSON(), nullable=True))
    for counter in ("attachment_count", "reaction_count"):
        op.add_column(
            "messages", sa.Column(counter, sa.Integer(), nullable=False, server_default="0")
        )
    op.add_column("users", sa.Column("avatar_file_id", BIG_ID, nullable=True))
    op.add_column(
        "memberships",
        sa.Column("read_receipt_seq", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute("UPDATE memberships SET read_receipt_seq = last_read_seq")

    op.create_table(
        "files",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=False),
        sa.Column("is_image", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("has_thumbnail", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["users.id"],
            name=op.f("fk_files_uploader_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_files_storage_name")),
    )
    op.create_index("ix_files_uploader", "files", ["uploader_id"])

    op.create_table(
        "message_attachments",
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("file_id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_message_attachments_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_message_attachments_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "file_id", name=op.f("pk_message_attachments")),
    )
    op.create_index("ix_message_attachments_file", "message_attachments", ["file_id"])

    op.create_table(
        "reactions",
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_reactions_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("message_id", "user_id", "emoji", name=op.f("pk_reactions")),
    )

    op.create_table(
        "message_mentions",
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_mentions_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_message_mentions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_message_mentions_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "user_id", name=op.f("pk_message_mentions")),
    )
    op.create_index(
        "ix_message_mentions_user_chat_seq", "message_mentions", ["user_id", "chat_id", "seq"]
    )


def downgrade() -> None:
    op.drop_table("message_mentions")
    op.drop_table("reactions")
    op.drop_table("message_attachments")
    op.drop_table("files")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("avatar_file_id")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("read_receipt_seq")
    with op.batch_alter_table("messages") as batch:
        for column in ("reaction_count", "attachment_count", "mentions", "html"):
            batch.drop_column(column)

"""The messages table (per-chat gapless seq, idempotent sends by (sender, client_id)) and what
hangs off a message: reactions, mentions and the versions its edits replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, BigId, UTCDateTime, utcnow


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "seq", name="uq_messages_chat_seq"),
        UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_client"),
        Index("ix_messages_sender", "sender_id"),
        # The retention sweep finds what is older than a cutoff without reading the table.
        Index("ix_messages_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "text" | "me" (an emote, sent with /me) | "system"
    kind: Mapped[str] = mapped_column(String(8), default="text")
    text: Mapped[str | None] = mapped_column(Text)
    # Rendered once on send/edit (markdown -> sanitised HTML); null once deleted.
    html: Mapped[str | None] = mapped_column(Text)
    # Ids of the members mentioned (a copy of message_mentions, to show without a join).
    mentions: Mapped[list | None] = mapped_column(JSON)
    attachment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reaction_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    client_id: Mapped[str | None] = mapped_column(String(64))
    reply_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reaction(Base):
    """One person's emoji on one message (each emoji at most once per person)."""

    __tablename__ = "reactions"

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    emoji: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mention(Base):
    """A member named in a message (@name, or everyone for @all). chat_id and seq are copied
    from the message so unread mentions are counted from this table's index alone."""

    __tablename__ = "message_mentions"
    __table_args__ = (Index("ix_message_mentions_user_chat_seq", "user_id", "chat_id", "seq"),)

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)


class MessageEdit(Base):
    """A version of a message that an edit replaced, kept so that members can see what it said
    before. It goes with its message: a delete for everyone removes it in the same unit, and
    retention's hard delete by the foreign key (ON DELETE CASCADE)."""

    __tablename__ = "message_edits"
    # A message's versions, newest first, from the index alone.
    __table_args__ = (Index("ix_message_edits_message_id_id", "message_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)  # Markdown as it was sent (or last edited)
    html: Mapped[str | None] = mapped_column(Text)  # rendered then, as the message kept it
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when this version was written
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # replaced then
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

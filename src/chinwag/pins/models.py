"""Pins (a chat's pinned messages, shared by its members) and saved messages (one person's
own bookmarks). Both go with their message (ON DELETE CASCADE; a soft delete removes them in
its unit, see messages.service.tombstone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, BigId, UTCDateTime, utcnow


class Pin(Base):
    """A message pinned in its chat (at most once). chat_id is copied from the message so a
    chat's pins are listed, counted and searched (`is:pinned`) from this table's index."""

    __tablename__ = "pins"
    __table_args__ = (Index("ix_pins_chat_id_pinned_at", "chat_id", "pinned_at"),)

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    pinned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedMessage(Base):
    """A message someone saved for themselves; nobody else sees it."""

    __tablename__ = "saved_messages"
    __table_args__ = (Index("ix_saved_messages_user_id_saved_at", "user_id", "saved_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

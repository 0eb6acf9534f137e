"""Tables of the notifications domain: the devices subscribed to Web Push, and the queue of
messages that may become a missed-message email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, BigId, UTCDateTime, utcnow


class PushSubscription(Base):
    """One browser (device) that accepted push: where the push service wants the pushes, and
    the keys that encrypt them for that browser alone."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The sign-in (device) that subscribed: a push shows message text, so a device signed out
    # (here, elsewhere, or by a password reset) gets none.
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    # The push service's URL for this browser: unique, a browser that subscribes again (or
    # another account in it) takes the row over.
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(255))
    auth: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MissedMessage(Base):
    """A direct message or mention that reached someone with no socket open. Once due_at has
    passed, one process claims (deletes) the rows of a conversation and mails what is still
    unread among them."""

    __tablename__ = "missed_messages"
    __table_args__ = (Index("ix_missed_messages_due", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_missed_messages_user_chat", MissedMessage.user_id, MissedMessage.chat_id)

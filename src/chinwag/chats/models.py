"""Tables of the chats domain: chats (groups and direct chats) and who belongs to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, UTCDateTime, utcnow

ROLES = ("owner", "admin", "member")
# A group direct message: 3 to 9 people (the creator among them), one chat per set of people,
# no roles, never public. It follows a direct chat's rules everywhere but naming.
GROUP_DM = "group_dm"
DIRECT_KINDS = ("direct", GROUP_DM)
GROUP_DM_PEOPLE = (3, 9)


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "direct" | "group_dm" | "group"
    name: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # "small_id:big_id" for direct chats, "g:" and a hash of the sorted member ids for group
    # direct messages: the unique key that keeps one chat per pair (per set of people).
    direct_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last allocated message seq; incremented in the sending transaction (row lock).
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The case-folded name of a public group that isn't deleted (null for every other chat):
    # its unique index keeps two public groups from both being "design". Folded in Python,
    # not by SQL lower(), which on SQLite folds ASCII only and on PostgreSQL follows the
    # database's locale: "Дизайн" and "дизайн" are one name on both.
    public_name_key: Mapped[str | None] = mapped_column(String(255))
    # A group's own retention in days, set by its owner (never longer than the workspace's
    # CHINWAG_RETENTION_DAYS); null: the workspace's (forever when that is unset too).
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # Slow mode: a member (not an admin) may send one message per this many seconds; 0: off.
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, server_default="0")


Index("uq_chats_public_name_key", Chat.public_name_key, unique=True)


class ChatMembership(Base):
    __tablename__ = "memberships"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The furthest this member has ever read: read receipts (is_read) follow it, so marking a
    # message unread again is private and never takes back a "Read" the sender saw.
    read_receipt_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The member's own choice: no push or missed-message email from this chat.
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    # A group admin's: this member's sends are refused (`muted`) until then; null: never.
    # Compared with the time of each send, so a mute ends by itself (no sweep).
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The member's last message here, written by the send itself: what slow mode measures
    # from, in the database, so every process agrees.
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatBan(Base):
    """Someone a group's admins removed for good: they can't join or be added again until
    unbanned."""

    __tablename__ = "chat_bans"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    banned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeptMute(Base):
    """The mute of someone who left a group while it held: joining again (or being added)
    takes it back, so leaving and rejoining a public group doesn't end a mute."""

    __tablename__ = "kept_mutes"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    muted_until: Mapped[datetime] = mapped_column(UTCDateTime)

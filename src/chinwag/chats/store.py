"""The SQL of chats: members and their users, membership rows, the heir of a leaving owner,
direct chats by their key, public groups for discovery and member counts. Sync functions of
a unit's `db`; the rules (who may do what, what is announced) are in chats.service and
chats.members. The chat list's queries are in chats.listing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Result

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatBan, ChatMembership, KeptMute
from chinwag.db.units import Tx
from chinwag.validation import like_pattern

# Members


def members_with_users(db: Tx, chat_id: int) -> Result[tuple[ChatMembership, User]]:
    """(membership, user) of every member, the longest-standing first."""
    return db.execute(
        select(ChatMembership, User)
        .join(User, User.id == ChatMembership.user_id)
        .where(ChatMembership.chat_id == chat_id)
        .order_by(ChatMembership.joined_at, ChatMembership.user_id)
    )


def present_member_ids(db: Tx, chat_id: int, user_ids: Collection[int]) -> set[int]:
    """Which of `user_ids` are members of the chat already."""
    return set(
        db.scalars(
            select(ChatMembership.user_id).where(
                ChatMembership.chat_id == chat_id, ChatMembership.user_id.in_(list(user_ids))
            )
        )
    )


def banned_ids(db: Tx, chat_id: int, user_ids: list[int]) -> set[int]:
    """Those of `user_ids` banned from the chat."""
    if not user_ids:
        return set()
    rows = db.execute(
        select(ChatBan.user_id).where(ChatBan.chat_id == chat_id, ChatBan.user_id.in_(user_ids))
    )
    return {user_id for (user_id,) in rows}


def add_ban(db: Tx, chat_id: int, user_id: int, by: int) -> None:
    if not banned_ids(db, chat_id, [user_id]):
        db.execute(insert(ChatBan).values(chat_id=chat_id, user_id=user_id, banned_by=by))


def remove_ban(db: Tx, chat_id: int, user_id: int) -> bool:
    result = db.execute(
        delete(ChatBan).where(ChatBan.chat_id == chat_id, ChatBan.user_id == user_id)
    )
    return bool(result.rowcount)


def bans(db: Tx, chat_id: int) -> list:
    """(user_id, username, banned_by, created_at) of the chat's bans, newest first."""
    return list(
        db.execute(
            select(ChatBan.user_id, User.username, ChatBan.banned_by, ChatBan.created_at)
            .join(User, User.id == ChatBan.user_id)
            .where(ChatBan.chat_id == chat_id)
            .order_by(ChatBan.created_at.desc())
        )
    )


def muted_members(db: Tx, chat_id: int, now: datetime) -> list:
    """(user_id, username, muted_until) of the members muted now, the soonest to end first."""
    return list(
        db.execute(
            select(ChatMembership.user_id, User.username, ChatMembership.muted_until)
            .join(User, User.id == ChatMembership.user_id)
            .where(ChatMembership.chat_id == chat_id, ChatMembership.muted_until > now)
            .order_by(ChatMembership.muted_until, ChatMembership.user_id)
        )
    )


def keep_mute(db: Tx, chat_id: int, user_id: int, until: datetime) -> None:
    """Keep the mute of someone leaving, for their return."""
    db.execute(delete(KeptMute).where(KeptMute.chat_id == chat_id, KeptMute.user_id == user_id))
    db.execute(insert(KeptMute).values(chat_id=chat_id, user_id=user_id, muted_until=until))


def take_kept_mute(db: Tx, chat_id: int, user_id: int) -> datetime | None:
    """The mute someone had when they left (gone from the table once taken), or None."""
    where = (KeptMute.chat_id == chat_id, KeptMute.user_id == user_id)
    until = db.scalar(select(KeptMute.muted_until).where(*where))
    if until is not None:
        db.execute(delete(KeptMute).where(*where))
    return until


def delete_membership(db: Tx, chat_id: int, user_id: int) -> None:
    db.execute(
        delete(ChatMembership).where(
            ChatMembership.chat_id == chat_id, ChatMembership.user_id == user_id
        )
    )


def any_member_left(db: Tx, chat_id: int) -> bool:
    """Whether the chat has a member at all."""
    remaining = db.scalar(
        select(ChatMembership.user_id).where(ChatMembership.chat_id == chat_id).limit(1)
    )
    return remaining is not None


def successor(db: Tx, chat_id: int) -> ChatMembership | None:
    """The longest-standing admin, else the longest-standing member."""
    rows = db.scalars(
        select(ChatMembership)
        .where(ChatMembership.chat_id == chat_id)
        .order_by(ChatMembership.role != "admin", ChatMembership.joined_at, ChatMembership.user_id)
        .limit(1)
    )
    return rows.first()


def member_count(db: Tx, chat_id: int) -> int:
    return db.scalar(select(func.count()).where(ChatMembership.chat_id == chat_id))


# Chats


def direct_chat_by_key(db: Tx, key: str) -> Chat | None:
    """The direct chat of the two people `key` names (chats.service's direct key)."""
    return db.scalar(select(Chat).where(Chat.direct_key == key))


def public_group_named(db: Tx, name_key: str) -> int | None:
    """The id of the public group (not deleted) whose folded name is `name_key`."""
    return db.scalar(select(Chat.id).where(Chat.public_name_key == name_key))


def groups_named(db: Tx, name: str) -> list[Chat]:
    """Groups (not deleted, public or private) called `name`, any case; oldest first."""
    return list(
        db.scalars(
            select(Chat)
            .where(
                Chat.kind == "group",
                Chat.deleted_at.is_(None),
                func.lower(Chat.name) == name.strip().lower(),
            )
            .order_by(Chat.id)
        )
    )


def public_groups(db: Tx, query: str, limit: int) -> list[Chat]:
    """Public groups (not deleted) whose name contains `query` (any, when it is blank), the
    most members first."""
    stmt = select(Chat).where(
        Chat.kind == "group", Chat.is_public.is_(True), Chat.deleted_at.is_(None)
    )
    if query.strip():
        stmt = stmt.where(
            func.lower(Chat.name).like(like_pattern(query.strip().lower()), escape="\\")
        )
    members = (
        select(func.count())
        .where(ChatMembership.chat_id == Chat.id)
        .correlate(Chat)
        .scalar_subquery()
    )
    return list(db.scalars(stmt.order_by(members.desc(), Chat.id).limit(limit)))

"""Chats as one user sees them (role, unread, last message, peer), a constant number of
queries for any number of chats."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import iso
from chinwag.db.units import Tx
from chinwag.files.shapes import avatar_url
from chinwag.messages.mentions import unread_mention_counts
from chinwag.messages.models import Message
from chinwag.messages.views import load_extras, message_dict


def _member_counts(db: Tx, chat_ids: list[int]) -> dict[int, int]:
    rows = db.execute(
        select(ChatMembership.chat_id, func.count())
        .where(ChatMembership.chat_id.in_(chat_ids))
        .group_by(ChatMembership.chat_id)
    )
    return dict(rows.all())


def _my_memberships(db: Tx, user_id: int, chat_ids: list[int]):
    rows = db.scalars(
        select(ChatMembership).where(
            ChatMembership.user_id == user_id, ChatMembership.chat_id.in_(chat_ids)
        )
    )
    return {m.chat_id: m for m in rows}


def unread_counts(db: Tx, user_id: int, chat_ids: list[int]) -> dict[int, int]:
    """Others' text messages after my read pointer, deleted ones not counted."""
    rows = db.execute(
        select(Message.chat_id, func.count())
        .join(
            ChatMembership,
            and_(ChatMembership.chat_id == Message.chat_id, ChatMembership.user_id == user_id),
        )
        .where(Message.chat_id.in_(chat_ids), Message.seq > ChatMembership.last_read_seq)
        .where(Message.kind == "text", Message.deleted_at.is_(None))
        .where(or_(Message.sender_id.is_(None), Message.sender_id != user_id))
        .group_by(Message.chat_id)
    )
    return dict(rows.all())


def _last_messages(db: Tx, chat_ids: list[int]) -> dict[int, dict]:
    last = (
        select(Message)
        .join(Chat, and_(Chat.id == Message.chat_id, Chat.last_seq == Message.seq))
        .where(Message.chat_id.in_(chat_ids))
    )
    messages = list(db.scalars(last))
    if not messages:
        return {}
    # Lowest read pointer among everyone but the sender, per last message.
    lowest = db.execute(
        select(Message.id, func.min(ChatMembership.read_receipt_seq))
        .join(ChatMembership, ChatMembership.chat_id == Message.chat_id)
        .where(Message.id.in_([m.id for m in messages]))
        .where(or_(Message.sender_id.is_(None), ChatMembership.user_id != Message.sender_id))
        .group_by(Message.id)
    )
    low = dict(lowest.all())
    extras = load_extras(db, messages)
    return {
        m.chat_id: message_dict(m, low.get(m.id) is None or low[m.id] >= m.seq, extras)
        for m in messages
    }


def _peers(db: Tx, user_id: int, chats: list[Chat]) -> dict[int, dict]:
    direct_ids = [c.id for c in chats if c.kind == "direct"]
    if not direct_ids:
        return {}
    rows = db.execute(
        select(
            ChatMembership.chat_id, User.id, User.username, User.display_name, User.avatar_file_id
        )
        .join(User, User.id == ChatMembership.user_id)
        .where(ChatMembership.chat_id.in_(direct_ids), ChatMembership.user_id != user_id)
    )
    return {
        chat_id: {
            "id": uid,
            "username": username,
            "display_name": display_name,
            "avatar_url": avatar_url(avatar_id),
        }
        for chat_id, uid, username, display_name, avatar_id in rows
    }


def chat_views(db: Tx, user_id: int, chats: list[Chat]) -> list[dict]:
    """The API shape (chats.schemas.ChatOut) of each chat, for `user_id`, in the given order."""
    if not chats:
        return []
    ids = [c.id for c in chats]
    counts = _member_counts(db, ids)
    mine = _my_memberships(db, user_id, ids)
    unread = unread_counts(db, user_id, ids)
    mentions = unread_mention_counts(db, user_id, ids)
    last = _last_messages(db, ids)
    peers = _peers(db, user_id, chats)
    views = []
    for chat in chats:
        membership = mine.get(chat.id)
        peer = peers.get(chat.id)
        views.append(
            {
                **chat_fields(chat, counts.get(chat.id, 0)),
                "name": peer["display_name"] if peer else chat.name,
                "role": membership.role if membership else None,
                "last_read_seq": membership.last_read_seq if membership else 0,
                "unread": unread.get(chat.id, 0),
                "unread_mentions": mentions.get(chat.id, 0),
                # History needs membership, so its latest line does too.
                "last_message": last.get(chat.id) if membership else None,
                "peer": peer,
            }
        )
    return views


def chat_fields(chat: Chat, member_count: int) -> dict:
    """What every member sees alike (the payload of chat.updated)."""
    return {
        "id": chat.id,
        "kind": chat.kind,
        "name": chat.name,
        "description": chat.description,
        "is_public": chat.is_public,
        "member_count": member_count,
        "last_seq": chat.last_seq,
        "created_at": iso(chat.created_at),
        "created_by": chat.created_by,
    }


def chat_view(db: Tx, user_id: int, chat: Chat) -> dict:
    """One chat as `user_id` sees it (see chat_views)."""
    return chat_views(db, user_id, [chat])[0]


def my_chats(db: Tx, user_id: int) -> list[dict]:
    """My chats, latest activity first."""
    chats = list(
        db.scalars(
            select(Chat)
            .join(ChatMembership, ChatMembership.chat_id == Chat.id)
            .where(ChatMembership.user_id == user_id, Chat.deleted_at.is_(None))
            .order_by(func.coalesce(Chat.last_message_at, Chat.created_at).desc(), Chat.id.desc())
        )
    )
    return chat_views(db, user_id, chats)

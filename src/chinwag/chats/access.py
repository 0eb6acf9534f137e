"""Who may see and change a chat. Private chats are invisible to non-members (404);
a public group is visible to everyone, but reading and writing in it needs membership (403)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Forbidden, NotFound

RANK = {"member": 0, "admin": 1, "owner": 2}


def lock_chat(db: Tx, chat_id: int) -> None:
    """Hold the chat's row lock until commit (PostgreSQL; SQLite's write lock already does), so
    concurrent changes to its membership run one after the other and each sees the last."""
    db.execute(select(Chat.id).where(Chat.id == chat_id).with_for_update())


def visible_chat(db: Tx, chat_id: int, user_id: int) -> tuple[Chat, ChatMembership | None]:
    """The chat and my membership, if I may see it at all."""
    row = (
        db.execute(
            select(Chat, ChatMembership)
            .outerjoin(
                ChatMembership,
                (ChatMembership.chat_id == Chat.id) & (ChatMembership.user_id == user_id),
            )
            .where(Chat.id == chat_id, Chat.deleted_at.is_(None))
        )
    ).one_or_none()
    if row is None or (row.ChatMembership is None and not row.Chat.is_public):
        raise NotFound("No such chat")
    return row.Chat, row.ChatMembership


def member_chat_ids(db: Tx, user_id: int) -> list[int]:
    """The ids of the chats I belong to (not deleted): what my searches look through."""
    return list(
        db.scalars(
            select(ChatMembership.chat_id)
            .join(Chat, Chat.id == ChatMembership.chat_id)
            .where(ChatMembership.user_id == user_id, Chat.deleted_at.is_(None))
            .order_by(ChatMembership.chat_id)
        )
    )


def sender_access(db: Tx, chat_id: int, user_id: int) -> bool:
    """The checks of member_chat for someone about to send, in one light query (the send path
    is the hottest); answers whether anyone else is in the chat."""
    mine = aliased(ChatMembership)
    others = exists().where(ChatMembership.chat_id == Chat.id, ChatMembership.user_id != user_id)
    row = (
        db.execute(
            select(Chat.is_public, mine.user_id, others)
            .outerjoin(mine, (mine.chat_id == Chat.id) & (mine.user_id == user_id))
            .where(Chat.id == chat_id, Chat.deleted_at.is_(None))
        )
    ).one_or_none()
    if row is None or (row[1] is None and not row[0]):
        raise NotFound("No such chat")
    if row[1] is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return bool(row[2])


def member_chat(db: Tx, chat_id: int, user_id: int) -> tuple[Chat, ChatMembership]:
    """The chat and my membership; 404 for a private chat, 403 for a public one I'm not in."""
    chat, membership = visible_chat(db, chat_id, user_id)
    if membership is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return chat, membership


def require_role(membership: ChatMembership, role: str, action: str) -> None:
    if RANK[membership.role] < RANK[role]:
        raise Forbidden(
            f"Only the group's {role}s can {action}"
            if role == "admin"
            else f"Only the group's owner can {action}",
            code="insufficient_role",
        )


def require_group(chat: Chat, action: str) -> None:
    if chat.kind != "group":
        raise BadRequest(f"A direct chat can't {action}", code="direct_chat")

"""The SQL of membership, which the chats and messages domains both need (so it lives in
neither): finding a chat I may see or am in (404 for a private chat I'm not in, 403 for a
public group I haven't joined), locking it, and the chats and people a user's sockets follow
(presence goes to those). The rules about roles live in membership.access."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound

C = Chat.__table__
CM = ChatMembership.__table__

_MY_CHATS = (
    select(CM.c.chat_id)
    .join(C, C.c.id == CM.c.chat_id)
    .where(CM.c.user_id == bindparam("user_id"), C.c.deleted_at.is_(None))
)
_CHAT_IDS = Prepared(_MY_CHATS)
_CONTACTS = Prepared(
    select(CM.c.user_id)
    .distinct()
    .where(CM.c.chat_id.in_(_MY_CHATS.scalar_subquery()), CM.c.user_id != bindparam("user_id"))
)


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


def member_chat(db: Tx, chat_id: int, user_id: int) -> tuple[Chat, ChatMembership]:
    """The chat and my membership; 404 for a private chat, 403 for a public one I'm not in."""
    chat, membership = visible_chat(db, chat_id, user_id)
    if membership is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return chat, membership


def chat_ids_of(db: Tx, user_id: int) -> set[int]:
    return {row[0] for row in _CHAT_IDS.all(db, user_id=user_id)}


def contacts_of(db: Tx, user_id: int) -> set[int]:
    """Everyone who shares a chat with the user."""
    return {row[0] for row in _CONTACTS.all(db, user_id=user_id)}

"""Who a user's sockets follow: the chats they are in, and the people they share one with
(presence goes to those)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx

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


def chat_ids_of(db: Tx, user_id: int) -> set[int]:
    return {row[0] for row in _CHAT_IDS.all(db, user_id=user_id)}


def contacts_of(db: Tx, user_id: int) -> set[int]:
    """Everyone who shares a chat with the user."""
    return {row[0] for row in _CONTACTS.all(db, user_id=user_id)}

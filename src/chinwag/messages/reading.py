"""The read pointer: reading moves it forward and tells the chat; marking unread moves it
back and tells only my devices. Read receipts (is_read) follow read_receipt_seq, the furthest
a member ever read, so they never go back."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, case, select, update

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.context import AppContext
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound
from chinwag.events import PendingEvents, write_and_publish

C = Chat.__table__
CM = ChatMembership.__table__

_POINTERS = Prepared(
    select(C.c.is_public, C.c.last_seq, CM.c.last_read_seq, CM.c.read_receipt_seq)
    .select_from(C)
    .outerjoin(CM, and_(CM.c.chat_id == C.c.id, CM.c.user_id == bindparam("user_id")))
    .where(C.c.id == bindparam("chat_id"), C.c.deleted_at.is_(None))
)
_FORWARD = Prepared(
    update(CM)
    .where(
        CM.c.chat_id == bindparam("chat_id"),
        CM.c.user_id == bindparam("user_id"),
        CM.c.last_read_seq < bindparam("seq"),
    )
    .values(
        last_read_seq=bindparam("seq"),
        read_receipt_seq=case(
            (CM.c.read_receipt_seq < bindparam("seq"), bindparam("seq")),
            else_=CM.c.read_receipt_seq,
        ),
    )
)
# Checked again in the UPDATE: a concurrent mark_unread that went further back must win.
_BACK = Prepared(
    update(CM)
    .where(
        CM.c.chat_id == bindparam("chat_id"),
        CM.c.user_id == bindparam("user_id"),
        CM.c.last_read_seq > bindparam("seq"),
    )
    .values(last_read_seq=bindparam("seq"))
)


def _my_pointers(db: Tx, chat_id: int, user_id: int) -> tuple[int, int, int]:
    """(the chat's last seq, my read pointer, my receipt); 404/403 as in
    membership.store.member_chat."""
    row = _POINTERS.one(db, chat_id=chat_id, user_id=user_id)
    if row is None or (row[2] is None and not row[0]):
        raise NotFound("No such chat")
    if row[2] is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return row[1], row[2], row[3]


def _read_unit(db: Tx, events: PendingEvents, user_id: int, chat_id: int, seq: int) -> int:
    last_seq, pointer, receipt = _my_pointers(db, chat_id, user_id)
    seq = min(seq, last_seq)
    if seq <= pointer:
        return pointer
    if _FORWARD.execute(db, chat_id=chat_id, user_id=user_id, seq=seq):
        event = {"type": "read", "chat_id": chat_id, "user_id": user_id, "seq": seq}
        if seq > receipt:
            events.to_chat(chat_id, event)
        else:
            events.to_user(user_id, event)
    return seq


async def mark_read(ctx: AppContext, me: User, chat_id: int, seq: int) -> int:
    """Move my read pointer forward to `seq` (never back; capped at the last message) and tell
    the members (only my devices, when I read again what I had marked unread). Returns the
    pointer."""
    return await write_and_publish(ctx, _read_unit, me.id, chat_id, seq, key=chat_id)


def _unread_unit(db: Tx, events: PendingEvents, user_id: int, chat_id: int, seq: int) -> int:
    _, pointer, _ = _my_pointers(db, chat_id, user_id)
    target = seq - 1
    if target >= pointer:
        return pointer
    if _BACK.execute(db, chat_id=chat_id, user_id=user_id, seq=target):
        events.to_user(
            user_id, {"type": "read", "chat_id": chat_id, "user_id": user_id, "seq": target}
        )
    return target


async def mark_unread(ctx: AppContext, me: User, chat_id: int, seq: int) -> int:
    """Move my read pointer back so the message `seq` and those after it are unread again
    (never forward); `read` tells my other devices, and only them: read receipts follow
    read_receipt_seq, which doesn't move back. Returns the pointer."""
    return await write_and_publish(ctx, _unread_unit, me.id, chat_id, seq, key=chat_id)

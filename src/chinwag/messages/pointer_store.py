"""The SQL of read pointers: a member's pointers in a chat (with the chat's last seq), moving
the read pointer forward (the receipt with it) and back. Prepared once (chinwag.db.prepared);
the rules (capping, who is told) are in messages.reading."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, case, select, update

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound

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


def my_pointers(db: Tx, chat_id: int, user_id: int) -> tuple[int, int, int]:
    """(the chat's last seq, my read pointer, my receipt); 404/403 as in
    membership.store.member_chat."""
    row = _POINTERS.one(db, chat_id=chat_id, user_id=user_id)
    if row is None or (row[2] is None and not row[0]):
        raise NotFound("No such chat")
    if row[2] is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return row[1], row[2], row[3]


def move_pointer_forward(db: Tx, chat_id: int, user_id: int, seq: int) -> bool:
    """Move my read pointer up to `seq` (and my receipt, when behind it); False when the
    pointer was at or past `seq` already."""
    return bool(_FORWARD.execute(db, chat_id=chat_id, user_id=user_id, seq=seq))


def move_pointer_back(db: Tx, chat_id: int, user_id: int, seq: int) -> bool:
    """Move my read pointer back to `seq`; False when it was at or before `seq` already."""
    return bool(_BACK.execute(db, chat_id=chat_id, user_id=user_id, seq=seq))

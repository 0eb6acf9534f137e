"""The read pointer: reading moves it forward and tells the chat; marking unread moves it
back and tells only my devices. Read receipts (is_read) follow read_receipt_seq, the furthest
a member ever read, so they never go back."""

from __future__ import annotations

from chinwag.accounts.models import User
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.events import PendingEvents, write_and_publish
from chinwag.messages.pointer_store import move_pointer_back, move_pointer_forward, my_pointers


def _read_unit(db: Tx, events: PendingEvents, user_id: int, chat_id: int, seq: int) -> int:
    last_seq, pointer, receipt = my_pointers(db, chat_id, user_id)
    seq = min(seq, last_seq)
    if seq <= pointer:
        return pointer
    if move_pointer_forward(db, chat_id, user_id, seq):
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
    _, pointer, _ = my_pointers(db, chat_id, user_id)
    target = seq - 1
    if target >= pointer:
        return pointer
    if move_pointer_back(db, chat_id, user_id, target):
        events.to_user(
            user_id, {"type": "read", "chat_id": chat_id, "user_id": user_id, "seq": target}
        )
    return target


async def mark_unread(ctx: AppContext, me: User, chat_id: int, seq: int) -> int:
    """Move my read pointer back so the message `seq` and those after it are unread again
    (never forward); `read` tells my other devices, and only them: read receipts follow
    read_receipt_seq, which doesn't move back. Returns the pointer."""
    return await write_and_publish(ctx, _unread_unit, me.id, chat_id, seq, key=chat_id)

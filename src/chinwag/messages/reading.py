"""The read pointer: reading moves it forward and tells the chat; marking unread moves it
back and tells only my devices. Read receipts (is_read) follow read_receipt_seq, the furthest
a member ever read, so they never go back."""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.chats.access import member_chat
from chinwag.chats.models import ChatMembership
from chinwag.context import AppContext
from chinwag.events import PendingEvents


async def mark_read(db: AsyncSession, ctx: AppContext, me: User, chat_id: int, seq: int) -> int:
    """Move my read pointer forward to `seq` (never back; capped at the last message) and tell
    the members (only my devices, when I read again what I had marked unread). Returns the
    pointer."""
    chat, membership = await member_chat(db, chat_id, me.id)
    seq = min(seq, chat.last_seq)
    if seq <= membership.last_read_seq:
        return membership.last_read_seq
    receipt_moves = seq > membership.read_receipt_seq
    moved = await db.execute(
        update(ChatMembership)
        .where(
            ChatMembership.chat_id == chat_id,
            ChatMembership.user_id == me.id,
            ChatMembership.last_read_seq < seq,
        )
        .values(
            last_read_seq=seq,
            read_receipt_seq=case(
                (ChatMembership.read_receipt_seq < seq, seq),
                else_=ChatMembership.read_receipt_seq,
            ),
        )
    )
    events = PendingEvents()
    if moved.rowcount:
        event = {"type": "read", "chat_id": chat_id, "user_id": me.id, "seq": seq}
        if receipt_moves:
            events.to_chat(chat_id, event)
        else:
            events.to_user(me.id, event)
    await events.commit_and_publish(db, ctx.broker)
    return seq


async def mark_unread(db: AsyncSession, ctx: AppContext, me: User, chat_id: int, seq: int) -> int:
    """Move my read pointer back so the message `seq` and those after it are unread again
    (never forward); `read` tells my other devices, and only them: read receipts follow
    read_receipt_seq, which doesn't move back. Returns the pointer."""
    _, membership = await member_chat(db, chat_id, me.id)
    target = seq - 1
    if target >= membership.last_read_seq:
        return membership.last_read_seq
    # Checked again in the UPDATE: a concurrent mark_unread that went further back must win.
    moved = await db.execute(
        update(ChatMembership)
        .where(
            ChatMembership.chat_id == chat_id,
            ChatMembership.user_id == me.id,
            ChatMembership.last_read_seq > target,
        )
        .values(last_read_seq=target)
    )
    events = PendingEvents()
    if moved.rowcount:
        events.to_user(me.id, {"type": "read", "chat_id": chat_id, "user_id": me.id, "seq": target})
    await events.commit_and_publish(db, ctx.broker)
    return target

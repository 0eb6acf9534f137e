"""Storing messages: per-chat seq allocation, inserts and the read-state needed to show them.

Shared by the chats service (system messages) and the messages service (user messages).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import utcnow
from chinwag.messages.models import Message
from chinwag.messages.rendering import render_plain


async def allocate_seq(db: AsyncSession, chat_id: int) -> int:
    """The chat's next seq. The UPDATE locks the chat row until commit (PostgreSQL) or runs
    under the write lock (SQLite), so concurrent sends get consecutive seqs, and a rolled-back
    send gives its seq back: no gap, no duplicate."""
    stmt = (
        update(Chat)
        .where(Chat.id == chat_id)
        .values(last_seq=Chat.last_seq + 1, last_message_at=utcnow())
        .returning(Chat.last_seq)
    )
    return (await db.execute(stmt)).scalar_one()


async def insert_message(
    db: AsyncSession,
    chat_id: int,
    sender_id: int | None,
    text: str,
    *,
    kind: str = "text",
    client_id: str | None = None,
    reply_to_id: int | None = None,
    html: str | None = None,
    mentions: list[int] | None = None,
    attachment_count: int = 0,
) -> Message:
    """Insert with the chat's next seq (not committed here). A Core INSERT, not the ORM unit of
    work: this is the hottest write path."""
    seq = await allocate_seq(db, chat_id)
    values = {
        "chat_id": chat_id,
        "seq": seq,
        "sender_id": sender_id,
        "kind": kind,
        "text": text,
        "client_id": client_id,
        "reply_to_id": reply_to_id,
        "html": html if html is not None else render_plain(text),
        "mentions": mentions or [],
        "attachment_count": attachment_count,
        "reaction_count": 0,
        "created_at": utcnow(),
    }
    message_id = (
        await db.execute(
            insert(Message.__table__).values(**values).returning(Message.__table__.c.id)
        )
    ).scalar_one()
    return Message(id=message_id, **values)


async def post_system_message(db: AsyncSession, chat_id: int, text: str) -> Message:
    """A line such as "ana joined" in the chat's history (not committed here)."""
    return await insert_message(db, chat_id, None, text, kind="system")


class ReadState:
    """Whether messages of one chat are read: every member other than the sender has read up
    to them. Only the two lowest read pointers matter, so each answer is O(1)."""

    def __init__(self, pointers: dict[int, int]) -> None:
        self._lowest = sorted(pointers.items(), key=lambda item: item[1])[:2]

    def is_read(self, message: Message) -> bool:
        for user_id, seq in self._lowest:
            if user_id != message.sender_id:
                return seq >= message.seq
        return True


async def read_state(db: AsyncSession, chat_id: int) -> ReadState:
    rows = await db.execute(
        select(ChatMembership.user_id, ChatMembership.read_receipt_seq)
        .where(ChatMembership.chat_id == chat_id)
        .order_by(ChatMembership.read_receipt_seq)
        .limit(2)  # all ReadState needs, however big the group
    )
    return ReadState(dict(rows.all()))


async def read_states(db: AsyncSession, chat_ids: Collection[int]) -> dict[int, ReadState]:
    """read_state of several chats in one query (a page of search hits spans many chats)."""
    lowest = (
        select(
            ChatMembership.chat_id,
            ChatMembership.user_id,
            ChatMembership.read_receipt_seq,
            func.row_number()
            .over(partition_by=ChatMembership.chat_id, order_by=ChatMembership.read_receipt_seq)
            .label("rank"),
        )
        .where(ChatMembership.chat_id.in_(list(chat_ids)))
        .subquery()
    )
    rows = await db.execute(
        select(lowest.c.chat_id, lowest.c.user_id, lowest.c.read_receipt_seq).where(
            lowest.c.rank <= 2
        )
    )
    pointers: dict[int, dict[int, int]] = {chat_id: {} for chat_id in chat_ids}
    for chat_id, user_id, seq in rows:
        pointers[chat_id][user_id] = seq
    return {chat_id: ReadState(found) for chat_id, found in pointers.items()}

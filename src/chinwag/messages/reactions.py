"""Reactions: one emoji per person per message, added and removed, told to the chat."""

from __future__ import annotations

import emoji as emoji_data
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.chats.access import member_chat
from chinwag.context import AppContext
from chinwag.errors import Conflict, Invalid, NotFound
from chinwag.events import PendingEvents
from chinwag.messages.models import Message, Reaction

MAX_EMOJI_BYTES = 32  # the column's width; the longest ZWJ sequences fit


def valid_emoji(text: str) -> str:
    """One emoji (skin tones, ZWJ sequences and flags included) in its fully-qualified form,
    so ❤ and ❤️ are the same reaction; else a 422. A lone skin tone is not a reaction."""
    size = len(text.encode("utf-8", "surrogatepass"))
    known = emoji_data.EMOJI_DATA.get(text) if size <= MAX_EMOJI_BYTES else None
    if known is None or known["status"] == emoji_data.STATUS["component"]:
        raise Invalid("emoji: must be a single emoji such as 👍")
    qualified = emoji_data.emojize(emoji_data.demojize(text))
    if len(qualified.encode("utf-8")) > MAX_EMOJI_BYTES or not emoji_data.is_emoji(qualified):
        return text
    return qualified


async def _reactable(db: AsyncSession, me: User, message_id: int) -> Message:
    message = await db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        await member_chat(db, message.chat_id, me.id)
    except NotFound:
        raise NotFound("No such message") from None
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    if message.kind != "text":
        raise Invalid("Only people's messages take reactions")
    return message


def _event(kind: str, message: Message, emoji: str, user_id: int) -> dict:
    return {
        "type": kind,
        "chat_id": message.chat_id,
        "message_id": message.id,
        "emoji": emoji,
        "user_id": user_id,
    }


async def add_reaction(
    db: AsyncSession, ctx: AppContext, me: User, message_id: int, emoji: str
) -> None:
    """React with `emoji`; doing it again changes nothing (and tells nobody)."""
    emoji = valid_emoji(emoji)
    user_id = me.id
    message = await _reactable(db, me, message_id)
    chat_id = message.chat_id
    db.add(Reaction(message_id=message_id, user_id=user_id, emoji=emoji))
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()  # already there (perhaps a concurrent request): nothing to do
        return
    await _count(db, message_id, +1)
    events = PendingEvents()
    events.to_chat(chat_id, _event("reaction.added", message, emoji, user_id))
    await events.commit_and_publish(db, ctx.broker)


async def remove_reaction(
    db: AsyncSession, ctx: AppContext, me: User, message_id: int, emoji: str
) -> None:
    """Take my `emoji` back; when it isn't there, nothing happens."""
    emoji = valid_emoji(emoji)
    message = await _reactable(db, me, message_id)
    removed = await db.execute(
        delete(Reaction).where(
            Reaction.message_id == message_id, Reaction.user_id == me.id, Reaction.emoji == emoji
        )
    )
    if not removed.rowcount:
        return
    await _count(db, message_id, -1)
    events = PendingEvents()
    events.to_chat(message.chat_id, _event("reaction.removed", message, emoji, me.id))
    await events.commit_and_publish(db, ctx.broker)


async def _count(db: AsyncSession, message_id: int, change: int) -> None:
    # The counter tells history whether to look for reactions at all (messages.views).
    await db.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(reaction_count=Message.reaction_count + change)
    )

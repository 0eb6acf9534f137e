"""Reactions: one emoji per person per message, added and removed, told to the chat."""

from __future__ import annotations

import emoji as emoji_data
from sqlalchemy.exc import IntegrityError

from chinwag.accounts.models import User
from chinwag.accounts.verification import require_verified
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.errors import Conflict, Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.store import member_chat
from chinwag.messages.models import Message, Reaction
from chinwag.messages.reaction_store import change_reaction_count, delete_reaction

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


def _reactable(db: Tx, me_id: int, message_id: int) -> Message:
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        member_chat(db, message.chat_id, me_id)
    except NotFound:
        raise NotFound("No such message") from None
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    if message.kind not in ("text", "me"):  # an emote is a message like any other
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


def _add_unit(db: Tx, events: PendingEvents, user_id: int, message_id: int, emoji: str) -> None:
    message = _reactable(db, user_id, message_id)
    try:
        with db.begin_nested():
            db.add(Reaction(message_id=message_id, user_id=user_id, emoji=emoji))
            db.flush()
    except IntegrityError:
        return  # already there (perhaps a concurrent request): nothing to do
    change_reaction_count(db, message_id, +1)
    events.to_chat(message.chat_id, _event("reaction.added", message, emoji, user_id))


async def add_reaction(ctx: AppContext, me: User, message_id: int, emoji: str) -> None:
    """React with `emoji`; doing it again changes nothing (and tells nobody). A post: refused
    while the address awaits verification (taking one back is not)."""
    await require_verified(ctx, me)
    await write_and_publish(ctx, _add_unit, me.id, message_id, valid_emoji(emoji))


def _remove_unit(db: Tx, events: PendingEvents, user_id: int, message_id: int, emoji: str) -> None:
    message = _reactable(db, user_id, message_id)
    if not delete_reaction(db, message_id, user_id, emoji):
        return
    change_reaction_count(db, message_id, -1)
    events.to_chat(message.chat_id, _event("reaction.removed", message, emoji, user_id))


async def remove_reaction(ctx: AppContext, me: User, message_id: int, emoji: str) -> None:
    """Take my `emoji` back; when it isn't there, nothing happens."""
    await write_and_publish(ctx, _remove_unit, me.id, message_id, valid_emoji(emoji))

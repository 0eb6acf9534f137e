"""Saved messages: anyone saves any message they can read, for themselves alone. Only the
saver's own devices are told (message.saved / message.unsaved), so their other tabs follow."""

from __future__ import annotations

from datetime import datetime

from chinwag.accounts.models import User
from chinwag.context import AppContext
from chinwag.db.base import iso, utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.store import member_chat
from chinwag.messages import store as messages_store
from chinwag.messages.models import Message
from chinwag.messages.views import message_views
from chinwag.pins import store
from chinwag.pins.service import readable_message


def _save_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int) -> None:
    message, _, _ = readable_message(db, me_id, message_id, "saved")
    now = utcnow()
    if store.add_saved(db, me_id, message_id, now):
        events.to_user(
            me_id,
            {
                "type": "message.saved",
                "chat_id": message.chat_id,
                "message_id": message_id,
                "saved_at": iso(now),
            },
        )


async def save_message(ctx: AppContext, me: User, message_id: int) -> None:
    """Save a message I can read; again: no change."""
    await write_and_publish(ctx, _save_unit, me.id, message_id)


def _unsave_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int) -> None:
    # No membership check: taking back my own bookmark reveals nothing, and it must work
    # after I left the chat too.
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    if store.remove_saved(db, me_id, message_id):
        events.to_user(
            me_id,
            {"type": "message.unsaved", "chat_id": message.chat_id, "message_id": message_id},
        )
        return
    try:
        member_chat(db, message.chat_id, me_id)  # not saved: say 404 where it's unseen
    except NotFound:
        raise NotFound("No such message") from None


async def unsave_message(ctx: AppContext, me: User, message_id: int) -> None:
    """Take a message out of my saved items; when it isn't there, nothing happens."""
    await write_and_publish(ctx, _unsave_unit, me.id, message_id)


def _saved_unit(db: Tx, me_id: int, limit: int, before: int | None) -> list[dict]:
    cursor = None
    if before is not None:
        moment: datetime | None = store.saved_at(db, me_id, before)
        if moment is None:
            raise BadRequest("before: not one of your saved messages", code="bad_cursor")
        cursor = (moment, before)
    page = store.saved_page(db, me_id, limit, cursor)
    if not page:
        return []
    states = messages_store.read_states(db, {m.chat_id for m, _ in page})
    views = message_views(db, [m for m, _ in page], _ReadStates(states))
    return [
        {"message": view, "saved_at": iso(saved_at)}
        for view, (_, saved_at) in zip(views, page, strict=True)
    ]


class _ReadStates:
    """The read state of each chat a page of saved messages comes from."""

    def __init__(self, by_chat: dict) -> None:
        self._by_chat = by_chat

    def is_read(self, message) -> bool:
        return self._by_chat[message.chat_id].is_read(message)


async def saved_messages(
    ctx: AppContext, me: User, *, limit: int = 50, before: int | None = None
) -> list[dict]:
    """My saved messages, the latest saved first; `before` the message id of the last one a
    page showed. Only those I can still read: a message deleted, or in a chat I left, isn't
    shown (and comes back if I rejoin)."""
    return await ctx.db.read(_saved_unit, me.id, limit, before)

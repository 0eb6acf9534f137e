"""Pins: a chat's messages worth keeping at hand. In a group its owners and admins pin and
unpin; in a direct chat either person does. Every member sees them (GET /api/chats/{id}/pins)
and is told of each change (message.pinned / message.unpinned) after its commit."""

from __future__ import annotations

from chinwag.accounts.models import User
from chinwag.accounts.verification import require_verified
from chinwag.context import AppContext
from chinwag.db.base import iso, utcnow
from chinwag.db.units import Tx
from chinwag.errors import Conflict, Forbidden, Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.access import RANK
from chinwag.membership.store import lock_chat, member_chat
from chinwag.messages import store as messages_store
from chinwag.messages.models import Message
from chinwag.messages.views import message_views
from chinwag.pins import store

MAX_PINS = 100  # per chat: a panel one can read, and a bound on what a chat's admins can store


def readable_message(db: Tx, me_id: int, message_id: int, what: str):
    """The message, its chat and my membership, when I may read it; what it is for (`pinned`,
    `saved`) names it in the errors."""
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        chat, membership = member_chat(db, message.chat_id, me_id)
    except NotFound:
        raise NotFound("No such message") from None
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    if message.kind != "text":
        raise Invalid(f"Only people's messages can be {what}")
    return message, chat, membership


def _may_pin(chat, membership) -> None:
    if chat.kind == "group" and RANK[membership.role] < RANK["admin"]:
        raise Forbidden("Only the group's admins can pin messages", code="insufficient_role")


def _pin_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int) -> None:
    message, chat, membership = readable_message(db, me_id, message_id, "pinned")
    _may_pin(chat, membership)
    if db.dialect == "postgresql":
        lock_chat(db, chat.id)  # two pins at once can't both take the last place
    if store.pin_count(db, chat.id) >= MAX_PINS:
        if store.pinned_among(db, [message_id]):
            return  # pinned already: pinning again changes nothing, even at the cap
        raise Conflict(
            f"A chat keeps at most {MAX_PINS} pins: unpin one first",
            code="too_many_pins",
            extra={"max_pins": MAX_PINS},
        )
    now = utcnow()
    if not store.add_pin(db, chat.id, message_id, me_id, now):
        return  # pinned already (perhaps a moment ago): nobody is told twice
    events.to_chat(
        chat.id,
        {
            "type": "message.pinned",
            "chat_id": chat.id,
            "message_id": message_id,
            "pinned_by": me_id,
            "pinned_at": iso(now),
        },
    )


async def pin_message(ctx: AppContext, me: User, message_id: int) -> None:
    """Pin a message in its chat (group admins; either person of a direct chat). Again: no
    change. 409 too_many_pins past MAX_PINS. A post: refused while the address awaits
    verification."""
    await require_verified(ctx, me)
    await write_and_publish(ctx, _pin_unit, me.id, message_id)


def _unpin_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int) -> None:
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        chat, membership = member_chat(db, message.chat_id, me_id)
    except NotFound:
        raise NotFound("No such message") from None
    _may_pin(chat, membership)
    removed = store.remove_pin(db, message_id)
    if removed is None:
        return
    events.to_chat(
        chat.id,
        {
            "type": "message.unpinned",
            "chat_id": chat.id,
            "message_id": message_id,
            "pinned_by": removed[0],
            "unpinned_by": me_id,
        },
    )


async def unpin_message(ctx: AppContext, me: User, message_id: int) -> None:
    """Unpin a message (whoever may pin in its chat); when it isn't pinned, nothing happens."""
    await write_and_publish(ctx, _unpin_unit, me.id, message_id)


def _pins_unit(db: Tx, me_id: int, chat_id: int) -> list[dict]:
    messages_store.member_access(db, chat_id, me_id)
    pins = store.chat_pins(db, chat_id)
    views = message_views(db, [m for m, _, _ in pins], messages_store.read_state(db, chat_id))
    return [
        {"message": view, "pinned_by": pinned_by, "pinned_at": iso(pinned_at)}
        for view, (_, pinned_by, pinned_at) in zip(views, pins, strict=True)
    ]


async def chat_pins(ctx: AppContext, me: User, chat_id: int) -> list[dict]:
    """The chat's pins, the latest pinned first, each with its message as history shows it."""
    return await ctx.db.read(_pins_unit, me.id, chat_id)

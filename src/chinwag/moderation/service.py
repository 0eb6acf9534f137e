"""Moderation: anyone who can read a message may report it; site administrators review the
open reports and dismiss them, delete the message for everyone, or deactivate its sender.
One decision closes every open report of that message, and is in the audit log, in the same
unit of work as what it does."""

from __future__ import annotations

from chinwag.accounts.models import User
from chinwag.admin import service as admin
from chinwag.admin import store as audit
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.store import member_chat
from chinwag.messages.models import Message
from chinwag.messages.service import tombstone
from chinwag.moderation import store

ACTIONS = {
    "dismiss": "dismissed",
    "delete_message": "message_deleted",
    "deactivate_sender": "sender_deactivated",
}


def _report(db: Tx, _events, me: User, message_id: int, reason: str) -> int:
    message = db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        member_chat(db, message.chat_id, me.id)  # only what you can read
    except NotFound:
        raise NotFound("No such message") from None
    if message.sender_id == me.id:
        raise BadRequest("You can't report your own message", code="own_message")
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    report_id = store.add(db, message_id, me.id, reason)
    if report_id is None:
        raise Conflict("You reported this message already", code="already_reported")
    return report_id


async def report(ctx: AppContext, me: User, message_id: int, reason: str) -> int:
    return await write_and_publish(ctx, _report, me, message_id, reason)


async def queue(ctx: AppContext, open_only: bool, before: int | None, limit: int) -> list:
    return await ctx.db.read(store.queue, open_only, before, limit)


def _resolve(db: Tx, events: PendingEvents, actor_id: int, report_id: int, action: str) -> int:
    found = store.open_report(db, report_id)
    if found is None:
        raise NotFound("No such open report")
    message_id, sender_id = found
    if action == "delete_message":
        tombstone(db, events, db.get(Message, message_id))
    elif action == "deactivate_sender" and sender_id is not None:
        admin.deactivate_in(db, events, actor_id, sender_id)
    closed = store.close(db, message_id, ACTIONS[action], actor_id, utcnow())
    details = {"report_id": report_id, "message_id": message_id, "reports_closed": closed}
    audit.record(db, actor_id, f"report.{ACTIONS[action]}", sender_id, details)
    return closed


async def resolve(ctx: AppContext, actor_id: int, report_id: int, action: str) -> int:
    """Act on a report; answers how many open reports of its message this closed."""
    return await write_and_publish(ctx, _resolve, actor_id, report_id, action)

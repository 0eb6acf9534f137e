"""Group mutes: a group's admins stop a member from sending there until a time.

A mute is `memberships.muted_until`, which the send path reads with the membership it checks
anyway, so a member who isn't muted pays nothing for it; a mute ends by itself when its time
passes (every send compares), nothing sweeps. Who may mute whom follows removing: an admin
mutes members, the owner admins too, nobody the owner or themselves."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from chinwag.accounts.models import User
from chinwag.admin.store import record
from chinwag.chats import store
from chinwag.chats.models import ChatMembership
from chinwag.context import AppContext
from chinwag.db.base import iso, utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Forbidden, Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.access import RANK, muted_now, require_group, require_role
from chinwag.membership.store import lock_chat, member_chat

log = logging.getLogger("chinwag.chats")


MUTE_MAX = timedelta(days=366)


def mute_end(minutes: int | None, until: datetime | None) -> datetime:
    """When a mute asked for as `minutes` from now, or `until` a moment, ends: in the future,
    within MUTE_MAX (else 422)."""
    now = utcnow()
    end = now + timedelta(minutes=minutes) if minutes is not None else until.astimezone(UTC)
    if end <= now:
        raise Invalid("until: must be in the future")
    if end > now + MUTE_MAX:
        raise Invalid("until: at most 366 days from now")
    return end


async def mute(ctx: AppContext, me: User, chat_id: int, user_id: int, until: datetime) -> dict:
    """Mute a member until `until` (admins): their sends are refused with `muted` till then.
    Muting someone muted already moves the end. Answers `{user_id, muted_until}`."""
    answer = await write_and_publish(ctx, _mute, me, chat_id, user_id, until, key=chat_id)
    log.info("user %s muted in chat %s by %s", user_id, chat_id, me.id, extra={"event": "mute"})
    return answer


def _mute(
    db: Tx, events: PendingEvents, me: User, chat_id: int, user_id: int, until: datetime
) -> dict:
    target = _moderated(db, me, chat_id, user_id, "mute")
    target.muted_until = until
    _tell(events, target)
    details = {"chat_id": chat_id, "until": iso(until)}
    record(db, me.id, "chat.member_muted", user_id, details)
    return {"user_id": user_id, "muted_until": until}


async def unmute(ctx: AppContext, me: User, chat_id: int, user_id: int) -> None:
    """Lift a mute (admins); someone not muted (any more) stays as they are."""
    await write_and_publish(ctx, _unmute, me, chat_id, user_id, key=chat_id)


def _unmute(db: Tx, events: PendingEvents, me: User, chat_id: int, user_id: int) -> None:
    target = _moderated(db, me, chat_id, user_id, "unmute")
    if not muted_now(target.muted_until, utcnow()):
        target.muted_until = None  # an old mute's end, kept for nothing
        return
    target.muted_until = None
    _tell(events, target)
    record(db, me.id, "chat.member_unmuted", user_id, {"chat_id": chat_id})


async def mutes(ctx: AppContext, me: User, chat_id: int) -> list:
    """The members muted now (admins), the soonest to speak again first."""
    return await ctx.db.read(_mutes, me, chat_id)


def _mutes(db: Tx, me: User, chat_id: int) -> list:
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "have mutes")
    require_role(membership, "admin", "see mutes")
    return store.muted_members(db, chat.id, utcnow())


def _moderated(db: Tx, me: User, chat_id: int, user_id: int, verb: str) -> ChatMembership:
    """The membership an admin may mute or unmute, the chat locked (as for membership
    changes, so a mute and a removal don't cross)."""
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, f"{verb} anyone")
    require_role(membership, "admin", f"{verb} people")
    if user_id == me.id:
        raise BadRequest(f"You can't {verb} yourself", code=f"cannot_{verb}_self")
    target = db.get(ChatMembership, (chat.id, user_id))
    if target is None:
        raise NotFound("This person is not a member of the group", code="member_not_found")
    if RANK[target.role] >= RANK[membership.role]:
        raise Forbidden(
            f"You can't {verb} someone whose role is equal to or above yours",
            code="insufficient_role",
        )
    return target


def _tell(events: PendingEvents, target: ChatMembership) -> None:
    """member.updated to the group (the muted member's own devices too, so their composer
    says so at once)."""
    events.to_chat(
        target.chat_id,
        {
            "type": "member.updated",
            "chat_id": target.chat_id,
            "user_id": target.user_id,
            "role": target.role,
            "muted_until": iso(target.muted_until),
        },
    )

"""What a member's role lets them do in a chat. Private chats are invisible to non-members
(404); a public group is visible to everyone, but reading and writing in it needs membership
(403): those lookups are in membership.store (visible_chat, member_chat)."""

from __future__ import annotations

import math
from datetime import datetime

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import iso
from chinwag.errors import BadRequest, ChinwagError, Forbidden

RANK = {"member": 0, "admin": 1, "owner": 2}


def require_role(membership: ChatMembership, role: str, action: str) -> None:
    if RANK[membership.role] < RANK[role]:
        raise Forbidden(
            f"Only the group's {role}s can {action}"
            if role == "admin"
            else f"Only the group's owner can {action}",
            code="insufficient_role",
        )


def require_group(chat: Chat, action: str) -> None:
    if chat.kind != "group":
        raise BadRequest(f"A direct chat can't {action}", code="direct_chat")


class Muted(Forbidden):
    """A group admin muted this member: their sends are refused until `until`."""

    code = "muted"

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"You are muted in this group until {iso(until)}", extra={"until": iso(until)}
        )


class SlowMode(ChinwagError):
    """Slow mode: this member sent here less than the group's interval ago. The rate-limit
    shape (429, Retry-After) with the wait in the body too, for the WS frame."""

    status, code = 429, "slow_mode"

    def __init__(self, interval: int, wait: int) -> None:
        super().__init__(
            f"Slow mode: one message every {interval} s; wait {wait} s",
            headers={"Retry-After": str(wait)},
            extra={"retry_after": wait, "slow_mode_seconds": interval},
        )


def muted_now(muted_until: datetime | None, now: datetime) -> bool:
    return muted_until is not None and muted_until > now


def slowed(role: str, slow_mode_seconds: int) -> bool:
    """Whether slow mode holds this member back at all (admins and owners aren't)."""
    return slow_mode_seconds > 0 and RANK[role] < RANK["admin"]


def check_may_post(
    role: str, muted_until: datetime | None, slow_mode_seconds: int,
    last_sent_at: datetime | None, now: datetime,
) -> None:  # fmt: skip
    """Refuse a send from a muted member, or from one slow mode holds back (its wait, in
    whole seconds, rounded up)."""
    if muted_now(muted_until, now):
        raise Muted(muted_until)
    if last_sent_at is None or not slowed(role, slow_mode_seconds):
        return
    wait = (last_sent_at - now).total_seconds() + slow_mode_seconds
    if wait > 0:
        raise SlowMode(slow_mode_seconds, math.ceil(wait))

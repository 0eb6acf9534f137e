"""Group direct messages: 3 to 9 people, one chat per set of people, found or created like a
direct chat (POST /api/chats/direct {user_ids}).

Like a direct chat it has no roles, is never public and keeps its people: nobody is added,
removed or leaves (membership.access.require_group refuses it all), so the set its key
names is always the set of its members."""

from __future__ import annotations

import hashlib

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.chats.models import GROUP_DM, GROUP_DM_PEOPLE
from chinwag.chats.service import open_by_key, open_direct
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Invalid
from chinwag.events import PendingEvents, write_and_publish


def group_dm_key(user_ids: set[int]) -> str:
    """The unique key of a set of people: their ids sorted, hashed to fit the column that
    keeps one direct chat per pair (nine ids could be 98 characters). 120 bits: no two sets
    of a workspace ever meet on one."""
    canonical = ",".join(str(user_id) for user_id in sorted(user_ids))
    return "g:" + hashlib.sha256(canonical.encode()).hexdigest()[:30]


async def open_with_people(ctx: AppContext, me: User, user_ids: list[int]) -> tuple[dict, bool]:
    """The one chat of me and `user_ids`: the direct chat when they are one other person,
    else the group direct message of us all, created on first ask. (chat view, created)."""
    people = set(user_ids) | {me.id}
    low, high = GROUP_DM_PEOPLE
    if len(people) < 2:
        raise BadRequest("A direct chat needs someone else", code="direct_self")
    if len(people) == 2:
        (peer_id,) = people - {me.id}
        return await open_direct(ctx, me, peer_id)
    if len(people) > high:
        raise Invalid(
            f"A group direct message has {low} to {high} people, you included; "
            f"make a group for more",
            code="too_many_people",
            extra={"max_people": high},
        )
    return await write_and_publish(ctx, _open_group_dm, me, people)


def _open_group_dm(db: Tx, events: PendingEvents, me: User, people: set[int]) -> tuple[dict, bool]:
    users = [me] + [get_user(db, user_id) for user_id in sorted(people - {me.id})]
    return open_by_key(db, events, me, GROUP_DM, group_dm_key(people), users)

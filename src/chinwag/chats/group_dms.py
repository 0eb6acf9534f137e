"""Group direct messages: 3 to 9 people, one chat per set of people, found or created like a
direct chat (POST /api/chats/direct {user_ids}).

Like a direct chat it has no roles, is never public and keeps its people: nobody is added,
removed or leaves (membership.access.require_group refuses it all), so the set its key
names is always the set of its members."""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.chats import listing, store
from chinwag.chats.models import GROUP_DM, GROUP_DM_PEOPLE, Chat, ChatMembership
from chinwag.chats.service import open_direct
from chinwag.context import AppContext
from chinwag.db.base import utcnow
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
    key = group_dm_key(people)
    chat = store.direct_chat_by_key(db, key)
    if chat is not None:
        return listing.chat_view(db, me.id, chat), False
    chat = Chat(
        kind=GROUP_DM,
        name="",
        description="",
        is_public=False,
        direct_key=key,
        created_by=me.id,
        created_at=utcnow(),
        last_seq=0,
    )
    try:
        with db.begin_nested():
            db.add(chat)
            db.flush()
    except IntegrityError:
        # Someone opened the same set at once: their unit created it (PostgreSQL made this
        # insert wait for its commit), so this statement sees it.
        chat = store.direct_chat_by_key(db, key)
        return listing.chat_view(db, me.id, chat), False
    for user in users:
        db.add(ChatMembership(chat_id=chat.id, user_id=user.id, role="member", last_read_seq=0))
    db.flush()
    for user in users:
        view = listing.chat_view(db, user.id, chat)
        events.to_user(user.id, {"type": "chat.created", "chat": view})
    return listing.chat_view(db, me.id, chat), True

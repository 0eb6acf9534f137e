"""Groups and direct chats: creation, discovery, settings and deletion.

The async functions are the entry points (routes call them); each runs one unit of work. The
sync helpers (announce, add_memberships, mark_deleted) run inside units, members' ones too."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.admin.store import record
from chinwag.chats import listing, store
from chinwag.chats.models import Chat, ChatMembership
from chinwag.chats.schemas import ChatCreate, ChatPatch
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.access import require_group, require_role
from chinwag.membership.store import member_chat, visible_chat
from chinwag.messages.store import MessageRow, post_system_message
from chinwag.messages.views import message_dict
from chinwag.workspace import store as workspace_store

log = logging.getLogger("chinwag.chats")


def announce(db: Tx, events: PendingEvents, chat_id: int, text: str) -> MessageRow:
    """Store a system message and queue its message.new; answers the stored message."""
    message = post_system_message(db, chat_id, text)
    events.to_chat(chat_id, {"type": "message.new", "message": message_dict(message, False)})
    return message


def _announce_in(db: Tx, events: PendingEvents, chat: Chat, text: str) -> None:
    """announce, keeping `chat` (loaded in this unit) in step with the seq the message took."""
    message = announce(db, events, chat.id, text)
    # The seq is allocated by a prepared statement that bypasses the Session, so `chat` would
    # keep its old last_seq: in the views built next and as the next newcomer's read pointer.
    set_committed_value(chat, "last_seq", message.seq)
    set_committed_value(chat, "last_message_at", message.created_at)


def add_memberships(
    db: Tx, events: PendingEvents, chat: Chat, users: list[User], actor: User | None
) -> None:
    """Make `users` members (skipping those already in), announce each, tell their devices."""
    for user in users:
        if db.get(ChatMembership, (chat.id, user.id)):
            continue
        kept = store.take_kept_mute(db, chat.id, user.id)  # a mute they left with
        db.add(
            ChatMembership(
                chat_id=chat.id,
                user_id=user.id,
                role="member",
                last_read_seq=chat.last_seq,
                read_receipt_seq=chat.last_seq,
                muted_until=kept if kept is not None and kept > utcnow() else None,
            )
        )
        db.flush()
        text = (
            f"@{user.username} joined"
            if actor is None or actor.id == user.id
            else (f"@{actor.username} added @{user.username}")
        )
        _announce_in(db, events, chat, text)
        events.to_chat(
            chat.id,
            {"type": "member.joined", "chat_id": chat.id, "user_id": user.id, "role": "member"},
        )
    for user in users:
        # Per-user view, so each device can list the chat and subscribe to it at once.
        view = listing.chat_view(db, user.id, chat)
        events.to_user(user.id, {"type": "chat.created", "chat": view})


async def my_chats(ctx: AppContext, user_id: int) -> list[dict]:
    """My chats, latest activity first (GET /api/chats)."""
    return await ctx.db.read_inline(listing.my_chats, user_id)


async def create_group(ctx: AppContext, owner: User, data: ChatCreate) -> dict:
    """A new group with the caller as owner and the listed people as members."""
    view = await write_and_publish(ctx, _create_group, owner, data)
    log.info("group %s created by %s", view["id"], owner.id, extra={"event": "chat_created"})
    return view


NAME_TAKEN = "name_taken"


def public_name_key(chat: Chat) -> str | None:
    """What makes a public group's name unique: the name case-folded; None for the rest."""
    if chat.kind != "group" or not chat.is_public or chat.deleted_at is not None:
        return None
    return chat.name.casefold()


def _ensure_public_name_free(db: Tx, key: str | None, name: str, chat_id: int | None) -> None:
    taken_by = store.public_group_named(db, key) if key else None
    if taken_by is not None and taken_by != chat_id:
        raise Conflict(f'A public group is already called "{name}"', code=NAME_TAKEN)


def _store_naming(db: Tx, chat: Chat) -> None:
    """Flush a new or renamed (or opened) group, its public name checked; a concurrent unit
    that took the name first makes the unique index refuse this one: the same 409 then."""
    key, name, chat_id = public_name_key(chat), chat.name, chat.id
    _ensure_public_name_free(db, key, name, chat_id)
    chat.public_name_key = key
    try:
        with db.begin_nested():
            db.add(chat)
            db.flush()
    except IntegrityError:
        # the rollback expired `chat`: check with the values it was to be stored with
        _ensure_public_name_free(db, key, name, chat_id)
        raise


def _may_make_public(db: Tx, me: User) -> None:
    if workspace_store.public_groups_by(db) == "admins" and not me.is_site_admin:
        raise Forbidden(
            "Only site administrators may make public groups here", code="public_groups_restricted"
        )


def found_group(db: Tx, events: PendingEvents, owner: User, name: str) -> int:
    """A public group for the whole workspace (its default one); its id."""
    return _create_group(db, events, owner, ChatCreate(name=name, is_public=True), checked=False)[
        "id"
    ]


def _create_group(
    db: Tx, events: PendingEvents, owner: User, data: ChatCreate, checked: bool = True
) -> dict:
    if data.is_public and checked:
        _may_make_public(db, owner)
    wanted = dict.fromkeys(data.member_ids)
    invitees = [get_user(db, uid) for uid in wanted if uid != owner.id]
    chat = Chat(
        kind="group",
        name=data.name,
        description=data.description,
        is_public=data.is_public,
        created_by=owner.id,
        created_at=utcnow(),
        last_seq=0,
    )
    _store_naming(db, chat)
    db.add(ChatMembership(chat_id=chat.id, user_id=owner.id, role="owner", last_read_seq=0))
    _announce_in(db, events, chat, f"@{owner.username} created the group")
    db.flush()
    add_memberships(db, events, chat, invitees, owner)
    db.refresh(chat)
    view = listing.chat_view(db, owner.id, chat)
    events.to_user(owner.id, {"type": "chat.created", "chat": view})
    return view


def _direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


async def open_direct(ctx: AppContext, me: User, peer_id: int) -> tuple[dict, bool]:
    """The one direct chat between me and `peer_id`, created on first ask.
    Returns (chat view, created)."""
    if peer_id == me.id:
        raise BadRequest("A direct chat needs someone else", code="direct_self")
    return await write_and_publish(ctx, _open_direct, me, peer_id)


def _open_direct(db: Tx, events: PendingEvents, me: User, peer_id: int) -> tuple[dict, bool]:
    peer = get_user(db, peer_id)
    return open_by_key(db, events, me, "direct", _direct_key(me.id, peer.id), [me, peer])


def open_by_key(
    db: Tx, events: PendingEvents, me: User, kind: str, key: str, people: list[User]
) -> tuple[dict, bool]:
    """In a unit: the one direct chat (or group direct message) of `people` that `key` names,
    created with them all as members on first ask; each is told of a new one (chat.created).
    Returns (my chat view, created)."""
    chat = store.direct_chat_by_key(db, key)
    if chat is not None:
        return listing.chat_view(db, me.id, chat), False
    chat = Chat(
        kind=kind,
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
        # The same people opened it at once: the other unit created it (and committed it:
        # PostgreSQL made this insert wait for that), so this statement sees it.
        chat = store.direct_chat_by_key(db, key)
        return listing.chat_view(db, me.id, chat), False
    for user in people:
        db.add(ChatMembership(chat_id=chat.id, user_id=user.id, role="member", last_read_seq=0))
    db.flush()
    for user in people:
        view = listing.chat_view(db, user.id, chat)
        events.to_user(user.id, {"type": "chat.created", "chat": view})
    return listing.chat_view(db, me.id, chat), True


async def get_chat_view(ctx: AppContext, me: User, chat_id: int) -> dict:
    """A chat I may see, as I see it."""
    return await ctx.db.read(_chat_view, me.id, chat_id)


def _chat_view(db: Tx, user_id: int, chat_id: int) -> dict:
    chat, _ = visible_chat(db, chat_id, user_id)
    return listing.chat_view(db, user_id, chat)


async def discover(ctx: AppContext, me: User, query: str, limit: int) -> list[dict]:
    """Public groups whose name contains `query`, the busiest first."""
    return await ctx.db.read(_discover, me.id, query, limit)


def _discover(db: Tx, user_id: int, query: str, limit: int) -> list[dict]:
    chats = store.public_groups(db, query, limit)
    return listing.chat_views(db, user_id, chats)


def _check_retention(limit: int | None, wanted: int | None) -> None:
    """A group's own retention is never longer than the workspace's."""
    if limit is not None and wanted is not None and wanted > limit:
        raise Invalid(
            f"Messages can be kept for at most {limit} days here", code="retention_too_long"
        )


async def update_chat(
    ctx: AppContext, me: User, chat_id: int, patch: ChatPatch, *, announce_description=False
) -> dict:
    """Rename, describe, open/close a group or set its slow mode (admins); set its retention
    (owner). `announce_description`: a new description is said in the group (`/topic`)."""
    limit = ctx.settings.retention_days
    _check_retention(limit, patch.retention_days)
    return await write_and_publish(
        ctx, _update_chat, me, chat_id, patch, limit, announce_description, key=chat_id
    )


async def groups_named(ctx: AppContext, name: str) -> list[Chat]:
    """Every live group called `name` (the command line names groups by name)."""
    return await ctx.db.read(store.groups_named, name)


async def set_retention_as_operator(ctx: AppContext, chat_id: int, days: int | None) -> Chat:
    """The command line's twin of the owner's `PATCH {retention_days}`: the same bounds
    (never longer than the workspace's), announced in the group and audited, with no
    account as the actor. `days` None: back to the workspace's."""
    limit = ctx.settings.retention_days
    _check_retention(limit, days)
    return await write_and_publish(ctx, _operator_retention, chat_id, days, limit, key=chat_id)


def _operator_retention(
    db: Tx, events: PendingEvents, chat_id: int, days: int | None, limit: int | None
) -> Chat:
    chat = db.get(Chat, chat_id)
    if chat is None or chat.deleted_at is not None:
        raise NotFound("No such group")
    require_group(chat, "keep messages for a time of its own")
    if chat.retention_days == days:
        return chat  # nothing changes, nothing is announced or recorded
    _set_retention(db, events, None, chat, days, limit)
    db.refresh(chat)
    count = store.member_count(db, chat.id)
    events.to_chat(chat.id, {"type": "chat.updated", "chat": listing.chat_fields(chat, count)})
    return chat


def _update_chat(
    db: Tx,
    events: PendingEvents,
    me: User,
    chat_id: int,
    patch: ChatPatch,
    limit: int | None,
    announce_description: bool = False,
) -> dict:
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "be changed")
    require_role(membership, "admin", "change the group")
    changes = {
        field: value
        for field, value in patch.model_dump(exclude_unset=True, exclude_none=True).items()
        if getattr(chat, field) != value and field != "retention_days"
    }
    # null is a value here (back to the workspace's), so it is looked at apart from the rest
    retention = "retention_days" in patch.model_fields_set
    retention = retention and patch.retention_days != chat.retention_days
    if retention:
        require_role(membership, "owner", "set how long messages are kept")
    if not changes and not retention:
        return listing.chat_view(db, me.id, chat)  # nothing to store or announce
    if changes.get("is_public"):
        _may_make_public(db, me)
    for field, value in changes.items():
        setattr(chat, field, value)
    _store_naming(db, chat)  # before the announcement: a taken name stores nothing
    if "name" in changes:
        _announce_in(db, events, chat, f'@{me.username} renamed the group to "{changes["name"]}"')
    if "description" in changes and announce_description:
        topic = changes["description"]
        _announce_in(db, events, chat, f'@{me.username} set the topic to "{topic}"')
    if "slow_mode_seconds" in changes:
        _announce_slow_mode(db, events, me, chat)
    if retention:
        _set_retention(db, events, me, chat, patch.retention_days, limit)
    db.flush()
    db.refresh(chat)
    count = store.member_count(db, chat.id)
    events.to_chat(chat.id, {"type": "chat.updated", "chat": listing.chat_fields(chat, count)})
    return listing.chat_view(db, me.id, chat)


def _announce_slow_mode(db: Tx, events: PendingEvents, me: User, chat: Chat) -> None:
    """Slow mode set or lifted: said in the group (its members are the ones it holds back)
    and recorded in the audit log."""
    seconds = chat.slow_mode_seconds
    text = (
        f"@{me.username} turned on slow mode: one message every {seconds} s"
        if seconds
        else f"@{me.username} turned off slow mode"
    )
    _announce_in(db, events, chat, text)
    record(
        db, me.id, "chat.slow_mode_set", None, {"chat_id": chat.id, "slow_mode_seconds": seconds}
    )


def _kept_for(days: int | None, limit: int | None) -> str:
    if days is None and limit is None:
        return "forever"
    if days is None:
        return f"as long as the workspace keeps them ({limit} days)"
    return f"for {days} day" if days == 1 else f"for {days} days"


def _set_retention(
    db: Tx,
    events: PendingEvents,
    me: User | None,
    chat: Chat,
    days: int | None,
    limit: int | None,
) -> None:
    """A group's own retention, announced in it and recorded in the audit log. `me` None:
    the server's command line did it (the announcement says "An administrator")."""
    chat.retention_days = days
    db.flush()
    kept = _kept_for(days, limit)
    who = "An administrator" if me is None else f"@{me.username}"
    _announce_in(db, events, chat, f"{who} set messages to be kept {kept}")
    actor_id = None if me is None else me.id
    record(db, actor_id, "chat.retention_set", None, {"chat_id": chat.id, "retention_days": days})


async def delete_chat(ctx: AppContext, me: User, chat_id: int) -> None:
    """Delete a group (owner). Its history goes with it for everyone."""
    await write_and_publish(ctx, _delete_chat, me, chat_id, key=chat_id)
    log.info("group %s deleted by %s", chat_id, me.id, extra={"event": "chat_deleted"})


def _delete_chat(db: Tx, events: PendingEvents, me: User, chat_id: int) -> None:
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "be deleted")
    require_role(membership, "owner", "delete the group")
    mark_deleted(db, events, chat)


def mark_deleted(db: Tx, events: PendingEvents, chat: Chat) -> None:
    """Mark `chat` (loaded in this unit) deleted and queue chat.deleted."""
    chat.deleted_at = utcnow()
    chat.public_name_key = None  # a deleted group's name is free again
    events.to_chat(chat.id, {"type": "chat.deleted", "chat_id": chat.id})

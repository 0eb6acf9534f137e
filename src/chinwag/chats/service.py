"""Groups and direct chats: creation, discovery, settings and deletion."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.chats import listing
from chinwag.chats.access import member_chat, require_group, require_role, visible_chat
from chinwag.chats.models import Chat, ChatMembership
from chinwag.chats.schemas import ChatCreate, ChatPatch
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import BadRequest
from chinwag.events import PendingEvents
from chinwag.messages.store import post_system_message
from chinwag.messages.views import message_dict
from chinwag.validation import like_pattern

log = logging.getLogger("chinwag.chats")


async def announce(db: AsyncSession, events: PendingEvents, chat_id: int, text: str) -> None:
    """Store a system message and queue its message.new."""
    message = await post_system_message(db, chat_id, text)
    events.to_chat(chat_id, {"type": "message.new", "message": message_dict(message, False)})


async def add_memberships(
    db: AsyncSession, events: PendingEvents, chat: Chat, users: list[User], actor: User | None
) -> None:
    """Make `users` members (skipping those already in), announce each, tell their devices."""
    for user in users:
        if await db.get(ChatMembership, (chat.id, user.id)):
            continue
        db.add(
            ChatMembership(
                chat_id=chat.id,
                user_id=user.id,
                role="member",
                last_read_seq=chat.last_seq,
                read_receipt_seq=chat.last_seq,
            )
        )
        await db.flush()
        text = (
            f"@{user.username} joined"
            if actor is None or actor.id == user.id
            else (f"@{actor.username} added @{user.username}")
        )
        await announce(db, events, chat.id, text)
        events.to_chat(
            chat.id,
            {"type": "member.joined", "chat_id": chat.id, "user_id": user.id, "role": "member"},
        )
    for user in users:
        # Per-user view, so each device can list the chat and subscribe to it at once.
        view = await listing.chat_view(db, user.id, chat)
        events.to_user(user.id, {"type": "chat.created", "chat": view})


async def create_group(db: AsyncSession, ctx: AppContext, owner: User, data: ChatCreate) -> dict:
    """A new group with the caller as owner and the listed people as members."""
    wanted = dict.fromkeys(data.member_ids)
    invitees = [await get_user(db, uid) for uid in wanted if uid != owner.id]
    chat = Chat(
        kind="group",
        name=data.name,
        description=data.description,
        is_public=data.is_public,
        created_by=owner.id,
        created_at=utcnow(),
        last_seq=0,
    )
    db.add(chat)
    await db.flush()
    db.add(ChatMembership(chat_id=chat.id, user_id=owner.id, role="owner", last_read_seq=0))
    events = PendingEvents()
    await announce(db, events, chat.id, f"@{owner.username} created the group")
    await db.flush()
    await add_memberships(db, events, chat, invitees, owner)
    await db.refresh(chat)
    view = await listing.chat_view(db, owner.id, chat)
    events.to_user(owner.id, {"type": "chat.created", "chat": view})
    await events.commit_and_publish(db, ctx.broker)
    log.info("group %s created by %s", chat.id, owner.id, extra={"event": "chat_created"})
    return view


def _direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


async def open_direct(db: AsyncSession, ctx: AppContext, me: User, peer_id: int):
    """The one direct chat between me and `peer_id`, created on first ask.
    Returns (chat view, created)."""
    if peer_id == me.id:
        raise BadRequest("A direct chat needs someone else", code="direct_self")
    peer = await get_user(db, peer_id)
    key = _direct_key(me.id, peer.id)
    chat = await db.scalar(select(Chat).where(Chat.direct_key == key))
    if chat is not None:
        return await listing.chat_view(db, me.id, chat), False
    chat = Chat(
        kind="direct",
        name="",
        description="",
        is_public=False,
        direct_key=key,
        created_by=me.id,
        created_at=utcnow(),
        last_seq=0,
    )
    my_id = me.id  # the rollback below expires `me`; reloading it there would be sync IO
    db.add(chat)
    try:
        await db.flush()
    except IntegrityError:
        # Both people opened the chat at once: the other request created it.
        await db.rollback()
        chat = await db.scalar(select(Chat).where(Chat.direct_key == key))
        return await listing.chat_view(db, my_id, chat), False
    for user in (me, peer):
        db.add(ChatMembership(chat_id=chat.id, user_id=user.id, role="member", last_read_seq=0))
    await db.flush()
    events = PendingEvents()
    for user in (me, peer):
        events.to_user(
            user.id, {"type": "chat.created", "chat": await listing.chat_view(db, user.id, chat)}
        )
    view = await listing.chat_view(db, me.id, chat)
    await events.commit_and_publish(db, ctx.broker)
    return view, True


async def get_chat_view(db: AsyncSession, me: User, chat_id: int) -> dict:
    chat, _ = await visible_chat(db, chat_id, me.id)
    return await listing.chat_view(db, me.id, chat)


async def discover(db: AsyncSession, me: User, query: str, limit: int) -> list[dict]:
    """Public groups whose name contains `query`, the busiest first."""
    stmt = select(Chat).where(
        Chat.kind == "group", Chat.is_public.is_(True), Chat.deleted_at.is_(None)
    )
    if query.strip():
        stmt = stmt.where(
            func.lower(Chat.name).like(like_pattern(query.strip().lower()), escape="\\")
        )
    members = (
        select(func.count())
        .where(ChatMembership.chat_id == Chat.id)
        .correlate(Chat)
        .scalar_subquery()
    )
    chats = list(await db.scalars(stmt.order_by(members.desc(), Chat.id).limit(limit)))
    return await listing.chat_views(db, me.id, chats)


async def update_chat(
    db: AsyncSession, ctx: AppContext, me: User, chat_id: int, patch: ChatPatch
) -> dict:
    """Rename, describe or open/close a group (admins)."""
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "be renamed")
    require_role(membership, "admin", "change the group")
    events = PendingEvents()
    changes = {
        field: value
        for field, value in patch.model_dump(exclude_unset=True, exclude_none=True).items()
        if getattr(chat, field) != value
    }
    if not changes:
        return await listing.chat_view(db, me.id, chat)  # nothing to store or announce
    if "name" in changes and changes["name"] != chat.name:
        await announce(
            db, events, chat.id, f'@{me.username} renamed the group to "{changes["name"]}"'
        )
    for field, value in changes.items():
        setattr(chat, field, value)
    await db.flush()
    await db.refresh(chat)
    count = await db.scalar(select(func.count()).where(ChatMembership.chat_id == chat.id))
    events.to_chat(chat.id, {"type": "chat.updated", "chat": listing.chat_fields(chat, count)})
    view = await listing.chat_view(db, me.id, chat)
    await events.commit_and_publish(db, ctx.broker)
    return view


async def delete_chat(db: AsyncSession, ctx: AppContext, me: User, chat_id: int) -> None:
    """Delete a group (owner). Its history goes with it for everyone."""
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "be deleted")
    require_role(membership, "owner", "delete the group")
    await mark_deleted(db, ctx, chat)
    log.info("group %s deleted by %s", chat.id, me.id, extra={"event": "chat_deleted"})


async def mark_deleted(db: AsyncSession, ctx: AppContext, chat: Chat) -> None:
    chat.deleted_at = utcnow()
    events = PendingEvents()
    events.to_chat(chat.id, {"type": "chat.deleted", "chat_id": chat.id})
    await events.commit_and_publish(db, ctx.broker)

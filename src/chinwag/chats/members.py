"""Membership of groups: join, leave, add, remove and roles (owner / admin / member)."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.chats import listing
from chinwag.chats.access import (
    RANK,
    lock_chat,
    member_chat,
    require_group,
    require_role,
    visible_chat,
)
from chinwag.chats.models import Chat, ChatMembership
from chinwag.chats.service import add_memberships, announce, mark_deleted
from chinwag.context import AppContext
from chinwag.errors import BadRequest, Forbidden, NotFound
from chinwag.events import PendingEvents
from chinwag.files.shapes import avatar_url

log = logging.getLogger("chinwag.chats")


async def list_members(db: AsyncSession, me: User, chat_id: int) -> list[dict]:
    """Members with their roles: for members, and for anyone in a public group."""
    await visible_chat(db, chat_id, me.id)
    rows = await db.execute(
        select(ChatMembership, User)
        .join(User, User.id == ChatMembership.user_id)
        .where(ChatMembership.chat_id == chat_id)
        .order_by(ChatMembership.joined_at, ChatMembership.user_id)
    )
    return [member_dict(m, u) for m, u in rows]


def member_dict(membership: ChatMembership, user: User) -> dict:
    return {
        "user_id": user.id,
        "role": membership.role,
        "joined_at": membership.joined_at,
        # What they have read at most: marking unread again is their own business.
        "last_read_seq": membership.read_receipt_seq,
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "avatar_url": avatar_url(user.avatar_file_id),
        },
    }


async def join(db: AsyncSession, ctx: AppContext, me: User, chat_id: int) -> dict:
    """Join a public group (joining one I'm in already changes nothing)."""
    await lock_chat(db, chat_id)
    chat, membership = await visible_chat(db, chat_id, me.id)
    if membership is None:
        events = PendingEvents()
        await add_memberships(db, events, chat, [me], me)
        await events.commit_and_publish(db, ctx.broker)
        log.info("user %s joined chat %s", me.id, chat.id, extra={"event": "join"})
    return await listing.chat_view(db, me.id, chat)


async def add_members(
    db: AsyncSession, ctx: AppContext, me: User, chat_id: int, user_ids: list[int]
) -> list[dict]:
    """Add people to a group (admins). Answers the members that were added."""
    await lock_chat(db, chat_id)
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "have more members")
    require_role(membership, "admin", "add members")
    users = [await get_user(db, uid) for uid in dict.fromkeys(user_ids)]
    present = set(
        await db.scalars(
            select(ChatMembership.user_id).where(
                ChatMembership.chat_id == chat.id, ChatMembership.user_id.in_([u.id for u in users])
            )
        )
    )
    newcomers = [u for u in users if u.id not in present]
    events = PendingEvents()
    await add_memberships(db, events, chat, newcomers, me)
    added = [member_dict(await db.get(ChatMembership, (chat.id, u.id)), u) for u in newcomers]
    await events.commit_and_publish(db, ctx.broker)
    return added


async def set_role(
    db: AsyncSession, ctx: AppContext, me: User, chat_id: int, user_id: int, role: str
) -> dict:
    """Make someone admin or member (owner). Making someone owner hands ownership over."""
    await lock_chat(db, chat_id)
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "have roles")
    require_role(membership, "owner", "change roles")
    target = await _membership_of(db, chat.id, user_id)
    if target.user_id == me.id:
        raise BadRequest("Hand ownership to someone else instead", code="own_role")
    events = PendingEvents()
    if role == "owner":
        _change_role(events, membership, "admin")
    _change_role(events, target, role)
    user = await db.get(User, user_id)
    result = member_dict(target, user)
    await events.commit_and_publish(db, ctx.broker)
    return result


def _change_role(events: PendingEvents, membership: ChatMembership, role: str) -> None:
    if membership.role != role:
        membership.role = role
        events.to_chat(
            membership.chat_id,
            {
                "type": "member.updated",
                "chat_id": membership.chat_id,
                "user_id": membership.user_id,
                "role": role,
            },
        )


async def _membership_of(db: AsyncSession, chat_id: int, user_id: int) -> ChatMembership:
    membership = await db.get(ChatMembership, (chat_id, user_id))
    if membership is None:
        raise NotFound("This person is not a member of the group", code="member_not_found")
    return membership


async def remove_member(
    db: AsyncSession, ctx: AppContext, me: User, chat_id: int, user_id: int
) -> None:
    """Remove someone (admins; the owner also removes admins; nobody removes the owner)."""
    if user_id == me.id:
        return await leave(db, ctx, me, chat_id)
    await lock_chat(db, chat_id)
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "lose members")
    require_role(membership, "admin", "remove members")
    target = await _membership_of(db, chat.id, user_id)
    if RANK[target.role] >= RANK[membership.role]:
        raise Forbidden(
            "You can't remove someone whose role is equal to or above yours",
            code="insufficient_role",
        )
    user = await db.get(User, user_id)
    await _drop(db, ctx, chat, target, f"@{me.username} removed @{user.username}")
    log.info(
        "user %s removed from chat %s by %s", user_id, chat.id, me.id, extra={"event": "leave"}
    )


async def leave(db: AsyncSession, ctx: AppContext, me: User, chat_id: int) -> None:
    """Leave a group. An owner who leaves hands the group to the longest-standing admin,
    else the longest-standing member; the last one out deletes it."""
    await lock_chat(db, chat_id)
    chat, membership = await member_chat(db, chat_id, me.id)
    require_group(chat, "be left")
    await _drop(db, ctx, chat, membership, f"@{me.username} left")
    log.info("user %s left chat %s", me.id, chat.id, extra={"event": "leave"})


async def _drop(
    db: AsyncSession, ctx: AppContext, chat: Chat, leaving: ChatMembership, text: str
) -> None:
    events = PendingEvents()
    await db.execute(
        delete(ChatMembership).where(
            ChatMembership.chat_id == chat.id, ChatMembership.user_id == leaving.user_id
        )
    )
    heir = await _successor(db, chat.id) if leaving.role == "owner" else None
    remaining = await db.scalar(
        select(ChatMembership.user_id).where(ChatMembership.chat_id == chat.id).limit(1)
    )
    if remaining is None:
        return await mark_deleted(db, ctx, chat)
    await announce(db, events, chat.id, text)
    events.to_chat(
        chat.id,
        {
            "type": "member.left",
            "chat_id": chat.id,
            "user_id": leaving.user_id,
            "role": leaving.role,
        },
    )
    if heir is not None:
        _change_role(events, heir, "owner")
    await events.commit_and_publish(db, ctx.broker)


async def _successor(db: AsyncSession, chat_id: int) -> ChatMembership | None:
    """The longest-standing admin, else the longest-standing member."""
    rows = await db.scalars(
        select(ChatMembership)
        .where(ChatMembership.chat_id == chat_id)
        .order_by(ChatMembership.role != "admin", ChatMembership.joined_at, ChatMembership.user_id)
        .limit(1)
    )
    return rows.first()

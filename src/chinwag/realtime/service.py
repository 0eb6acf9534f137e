"""Realtime operations the gateway calls: the ready frame, typing and presence changes."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.accounts.service import own_profile
from chinwag.chats import listing
from chinwag.chats.models import Chat, ChatMembership
from chinwag.context import AppContext
from chinwag.realtime.channels import PRESENCE_CHANNEL, chat_channel

log = logging.getLogger("chinwag.realtime")


async def chat_ids_of(db: AsyncSession, user_id: int) -> set[int]:
    rows = await db.scalars(
        select(ChatMembership.chat_id)
        .join(Chat, Chat.id == ChatMembership.chat_id)
        .where(ChatMembership.user_id == user_id, Chat.deleted_at.is_(None))
    )
    return set(rows)


async def contacts_of(db: AsyncSession, user_id: int) -> set[int]:
    """Everyone who shares a chat with the user."""
    mine = (
        select(ChatMembership.chat_id)
        .join(Chat, Chat.id == ChatMembership.chat_id)
        .where(ChatMembership.user_id == user_id, Chat.deleted_at.is_(None))
    )
    rows = await db.scalars(
        select(ChatMembership.user_id)
        .distinct()
        .where(ChatMembership.chat_id.in_(mine), ChatMembership.user_id != user_id)
    )
    return set(rows)


async def ready_frame(db: AsyncSession, ctx: AppContext, user: User) -> dict:
    """The first frame of a socket: me, my chats (with last_seq to resume from), and which of
    the people I share a chat with are online."""
    chats = await listing.my_chats(db, user.id)
    online = await ctx.presence.online_user_ids() & await contacts_of(db, user.id)
    return {
        "type": "ready",
        "user": (await own_profile(ctx, user)).model_dump(mode="json"),
        "chats": chats,
        "online": sorted(online),
    }


async def publish_typing(ctx: AppContext, user_id: int, chat_id: int) -> None:
    """Not stored: typing is ephemeral and dropped first when a reader falls behind."""
    await ctx.broker.publish(
        chat_channel(chat_id), {"type": "typing", "chat_id": chat_id, "user_id": user_id}
    )


async def publish_presence(ctx: AppContext, user_id: int, status: str, chat_ids: set[int]) -> None:
    """Tell every process; each passes it to its local users who share one of these chats."""
    await ctx.broker.publish(
        PRESENCE_CHANNEL,
        {"type": "presence", "user_id": user_id, "status": status, "chat_ids": sorted(chat_ids)},
    )


async def announce_expired(ctx: AppContext, user_id: int) -> None:
    """A user whose process died without saying goodbye has gone offline."""
    async with ctx.sessionmaker() as db:
        chat_ids = await chat_ids_of(db, user_id)
    await publish_presence(ctx, user_id, "offline", chat_ids)

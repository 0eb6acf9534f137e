"""Realtime operations the gateway calls: the ready frame, typing and presence changes."""

from __future__ import annotations

import logging

from chinwag.accounts.models import User
from chinwag.accounts.service import own_profile
from chinwag.chats import listing
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.membership.store import chat_ids_of, contacts_of
from chinwag.realtime.channels import PRESENCE_CHANNEL, chat_channel

log = logging.getLogger("chinwag.realtime")


def chat_ids_unit(db: Tx, user_id: int) -> set[int]:
    """The chats a user's sockets follow."""
    return chat_ids_of(db, user_id)


async def chat_ids(ctx: AppContext, user_id: int) -> set[int]:
    return await ctx.db.read_inline(chat_ids_unit, user_id)


def _ready_unit(db: Tx, user_id: int) -> tuple[list[dict], set[int]]:
    return listing.my_chats(db, user_id), contacts_of(db, user_id)


async def ready_frame(ctx: AppContext, user: User) -> dict:
    """The first frame of a socket: me, my chats (with last_seq to resume from), and which of
    the people I share a chat with are online."""
    chats, contacts = await ctx.db.read_inline(_ready_unit, user.id)
    online = await ctx.presence.online_among(contacts)
    return {
        "type": "ready",
        # online: this socket is opening (asking the presence store would cost a round trip)
        "user": (await own_profile(ctx, user, online=True)).model_dump(mode="json"),
        "chats": chats,
        "online": sorted(online),
        # what this server accepts, so a client can refuse before sending, keeping the draft
        "limits": {
            "message_max_chars": ctx.settings.message_max_chars,
            "upload_max_bytes": ctx.settings.upload_max_bytes,
        },
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
    await publish_presence(ctx, user_id, "offline", await chat_ids(ctx, user_id))

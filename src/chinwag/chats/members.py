"""Membership of groups: join, leave, add, remove and roles (owner / admin / member).

The async functions are the entry points; each runs one unit of work keyed by the chat, which
starts by locking the chat's row so concurrent membership changes run one after the other."""

from __future__ import annotations

import logging

from chinwag.accounts.models import User
from chinwag.accounts.service import get_user
from chinwag.admin.store import record
from chinwag.chats import listing, store
from chinwag.chats.models import Chat, ChatMembership
from chinwag.chats.service import add_memberships, announce, mark_deleted
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Forbidden, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.files.shapes import avatar_url
from chinwag.membership.access import RANK, muted_now, require_group, require_role
from chinwag.membership.store import lock_chat, member_chat, visible_chat

log = logging.getLogger("chinwag.chats")


async def list_members(ctx: AppContext, me: User, chat_id: int) -> list[dict]:
    """Members with their roles: for members, and for anyone in a public group."""
    return await ctx.db.read(_list_members, me.id, chat_id)


def _list_members(db: Tx, user_id: int, chat_id: int) -> list[dict]:
    visible_chat(db, chat_id, user_id)
    return [member_dict(m, u) for m, u in store.members_with_users(db, chat_id)]


def member_dict(membership: ChatMembership, user: User) -> dict:
    return {
        "user_id": user.id,
        "role": membership.role,
        "joined_at": membership.joined_at,
        # What they have read at most: marking unread again is their own business.
        "last_read_seq": membership.read_receipt_seq,
        # set while a group admin's mute holds (an ended one reads as none)
        "muted_until": membership.muted_until
        if muted_now(membership.muted_until, utcnow())
        else None,
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "avatar_url": avatar_url(user.avatar_file_id),
        },
    }


async def join(ctx: AppContext, me: User, chat_id: int) -> dict:
    """Join a public group (joining one I'm in already changes nothing)."""
    view, joined = await write_and_publish(ctx, _join, me, chat_id, key=chat_id)
    if joined:
        log.info("user %s joined chat %s", me.id, chat_id, extra={"event": "join"})
    return view


def _join(db: Tx, events: PendingEvents, me: User, chat_id: int) -> tuple[dict, bool]:
    lock_chat(db, chat_id)
    chat, membership = visible_chat(db, chat_id, me.id)
    if membership is None:
        if store.banned_ids(db, chat.id, [me.id]):
            raise Forbidden("You are banned from this group", code="banned")
        add_memberships(db, events, chat, [me], me)
    return listing.chat_view(db, me.id, chat), membership is None


async def add_members(ctx: AppContext, me: User, chat_id: int, user_ids: list[int]) -> list[dict]:
    """Add people to a group (admins). Answers the members that were added."""
    return await write_and_publish(ctx, _add_members, me, chat_id, user_ids, key=chat_id)


def _add_members(
    db: Tx, events: PendingEvents, me: User, chat_id: int, user_ids: list[int]
) -> list[dict]:
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "have more members")
    require_role(membership, "admin", "add members")
    users = [get_user(db, uid) for uid in dict.fromkeys(user_ids)]
    present = store.present_member_ids(db, chat.id, [u.id for u in users])
    newcomers = [u for u in users if u.id not in present]
    if store.banned_ids(db, chat.id, [u.id for u in newcomers]):
        raise Conflict(
            "Someone you named is banned from this group; unban them first", code="banned"
        )
    add_memberships(db, events, chat, newcomers, me)
    return [member_dict(db.get(ChatMembership, (chat.id, u.id)), u) for u in newcomers]


async def set_role(ctx: AppContext, me: User, chat_id: int, user_id: int, role: str) -> dict:
    """Make someone admin or member (owner). Making someone owner hands ownership over."""
    return await write_and_publish(ctx, _set_role, me, chat_id, user_id, role, key=chat_id)


def _set_role(
    db: Tx, events: PendingEvents, me: User, chat_id: int, user_id: int, role: str
) -> dict:
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "have roles")
    require_role(membership, "owner", "change roles")
    target = _membership_of(db, chat.id, user_id)
    if target.user_id == me.id:
        raise BadRequest("Hand ownership to someone else instead", code="own_role")
    if role == "owner":
        _change_role(events, membership, "admin")
    _change_role(events, target, role)
    return member_dict(target, db.get(User, user_id))


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


def _membership_of(db: Tx, chat_id: int, user_id: int) -> ChatMembership:
    membership = db.get(ChatMembership, (chat_id, user_id))
    if membership is None:
        raise NotFound("This person is not a member of the group", code="member_not_found")
    return membership


async def remove_member(ctx: AppContext, me: User, chat_id: int, user_id: int) -> None:
    """Remove someone (admins; the owner also removes admins; nobody removes the owner)."""
    if user_id == me.id:
        return await leave(ctx, me, chat_id)
    await write_and_publish(ctx, _remove_member, me, chat_id, user_id, key=chat_id)
    log.info(
        "user %s removed from chat %s by %s", user_id, chat_id, me.id, extra={"event": "leave"}
    )


def _remove_member(db: Tx, events: PendingEvents, me: User, chat_id: int, user_id: int) -> None:
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "lose members")
    require_role(membership, "admin", "remove members")
    target = _membership_of(db, chat.id, user_id)
    if RANK[target.role] >= RANK[membership.role]:
        raise Forbidden(
            "You can't remove someone whose role is equal to or above yours",
            code="insufficient_role",
        )
    user = db.get(User, user_id)
    _drop(db, events, chat, target, f"@{me.username} removed @{user.username}")


async def leave(ctx: AppContext, me: User, chat_id: int) -> None:
    """Leave a group. An owner who leaves hands the group to the longest-standing admin,
    else the longest-standing member; the last one out deletes it."""
    await write_and_publish(ctx, _leave, me, chat_id, key=chat_id)
    log.info("user %s left chat %s", me.id, chat_id, extra={"event": "leave"})


def _leave(db: Tx, events: PendingEvents, me: User, chat_id: int) -> None:
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "be left")
    _drop(db, events, chat, membership, f"@{me.username} left")


def _drop(db: Tx, events: PendingEvents, chat: Chat, leaving: ChatMembership, text: str) -> None:
    if muted_now(leaving.muted_until, utcnow()):
        # else leaving a public group and joining it again would end the mute
        store.keep_mute(db, chat.id, leaving.user_id, leaving.muted_until)
    store.delete_membership(db, chat.id, leaving.user_id)
    heir = store.successor(db, chat.id) if leaving.role == "owner" else None
    if not store.any_member_left(db, chat.id):
        return mark_deleted(db, events, chat)
    announce(db, events, chat.id, text)
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


# Bans


async def ban(ctx: AppContext, me: User, chat_id: int, user_id: int) -> None:
    """Remove someone for good (admins, as for removing): they can't join or be added
    again until unbanned."""
    await write_and_publish(ctx, _ban, me, chat_id, user_id, key=chat_id)
    log.info("user %s banned from chat %s by %s", user_id, chat_id, me.id, extra={"event": "ban"})


def _ban(db: Tx, events: PendingEvents, me: User, chat_id: int, user_id: int) -> None:
    lock_chat(db, chat_id)
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "ban anyone")
    require_role(membership, "admin", "ban people")
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    if user_id == me.id:
        raise BadRequest("You can't ban yourself", code="cannot_ban_self")
    target = db.get(ChatMembership, (chat.id, user_id))
    if target is not None and RANK[target.role] >= RANK[membership.role]:
        raise Forbidden(
            "You can't ban someone whose role is equal to or above yours", code="insufficient_role"
        )
    store.add_ban(db, chat.id, user_id, me.id)
    record(db, me.id, "chat.member_banned", user_id, {"chat_id": chat.id})
    if target is not None:
        _drop(db, events, chat, target, f"@{me.username} removed @{user.username}")


async def unban(ctx: AppContext, me: User, chat_id: int, user_id: int) -> None:
    await write_and_publish(ctx, _unban, me, chat_id, user_id, key=chat_id)


def _unban(db: Tx, _events: PendingEvents, me: User, chat_id: int, user_id: int) -> None:
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "unban anyone")
    require_role(membership, "admin", "unban people")
    if not store.remove_ban(db, chat.id, user_id):
        raise NotFound("This person isn't banned here")
    record(db, me.id, "chat.member_unbanned", user_id, {"chat_id": chat.id})


async def bans(ctx: AppContext, me: User, chat_id: int) -> list:
    return await ctx.db.read(_bans, me, chat_id)


def _bans(db: Tx, me: User, chat_id: int) -> list:
    chat, membership = member_chat(db, chat_id, me.id)
    require_group(chat, "have bans")
    require_role(membership, "admin", "see bans")
    return store.bans(db, chat.id)

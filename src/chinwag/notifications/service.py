"""Reaching people away from the app, after a message is committed: a Web Push to each of
their devices and, later, a missed-message email. Both only for a direct message or a
mention, only to members who have not muted the chat, and only while the person has no
socket open anywhere (Campfire's rule: someone with the app open sees it there).

Also the settings behind them: push subscriptions, a chat's mute, the email unsubscribe."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from chinwag.chats.listing import chat_views
from chinwag.chats.models import DIRECT_KINDS
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.membership.store import member_chat
from chinwag.notifications import store
from chinwag.notifications.digest import missed_message_mail, unsubscribe_token, user_of_token
from chinwag.notifications.push import push_to

log = logging.getLogger("chinwag.notifications")
PREVIEW_CHARS = 200  # of the message in a push (push services cap payloads near 4 KiB)


def message_sent(ctx: AppContext, message: dict) -> None:
    """After a send's commit: reach the people it concerns who are away, without holding
    the sender's answer."""
    kind = ctx.notifier.kinds.get(message["chat_id"])
    if kind == "group" and not message["mentions"]:
        return  # the usual group message: no query at all
    ctx.notifier.spawn(_reach_away(ctx, message, kind, message["mentions"]))


def mentions_added(ctx: AppContext, message: dict, user_ids: list[int]) -> None:
    """After an edit's commit: the people it names for the first time, as a send would (in a
    group only: a direct chat's people heard of the message when it was sent)."""
    if user_ids and ctx.notifier.kinds.get(message["chat_id"]) not in DIRECT_KINDS:
        ctx.notifier.spawn(_reach_away(ctx, message, None, user_ids, edited=True))


async def _reach_away(
    ctx: AppContext, message: dict, kind: str | None, mentioned: list[int], edited=False
) -> None:
    chat_id, sender_id = message["chat_id"], message["sender_id"]
    if kind is None:
        kind = await ctx.db.read(store.chat_kind, chat_id)
        if kind is None:
            return
        ctx.notifier.remember_kind(chat_id, kind)
    if (kind == "group" and not mentioned) or (kind in DIRECT_KINDS and edited):
        return
    targets = await ctx.db.read(store.targets, chat_id, sender_id, mentioned)
    # Asked after the commit: someone whose socket opens now gets the message there anyway.
    online = await ctx.presence.online_among([t.user_id for t in targets])
    away = [t for t in targets if t.user_id not in online]
    if away:
        await _queue_mail(ctx, message, [t.user_id for t in away if t.email])
        await _push(ctx, message, [t.user_id for t in away])


async def _queue_mail(ctx: AppContext, message: dict, user_ids: list[int]) -> None:
    if not user_ids:
        return
    due = utcnow() + timedelta(minutes=ctx.settings.missed_message_minutes)
    rows = [
        {
            "user_id": user_id,
            "chat_id": message["chat_id"],
            "message_id": message["id"],
            "seq": message["seq"],
            "due_at": due,
        }
        for user_id in user_ids
    ]
    await ctx.db.write(store.queue_missed, rows)


async def _push(ctx: AppContext, message: dict, user_ids: list[int]) -> None:
    subscriptions = await ctx.db.read(store.subscriptions_of, user_ids, utcnow())
    if not subscriptions:
        return
    names = await ctx.db.read(store.names, message["chat_id"], message["sender_id"])
    if names is None:
        return
    payload = push_payload(message, names)
    gone = await push_to(subscriptions, payload, ctx.notifier.vapid, ctx.settings.push_contact)
    if gone:
        await ctx.db.write(store.drop_endpoints, gone)
        log.info("dropped %d expired push subscriptions", len(gone))


def push_payload(message: dict, names: store.Names) -> dict:
    """What the service worker shows: who, where, a preview, and the chat to open."""
    sender = names.sender_display_name or names.sender_username
    text = (message.get("text") or "").strip()
    if not text and message.get("attachments"):
        text = "📎"
    return {
        "type": "message",
        "chat_id": message["chat_id"],
        "chat_kind": names.chat_kind,
        "chat_name": names.chat_name if names.chat_kind == "group" else sender,
        "message_id": message["id"],
        "seq": message["seq"],
        "sender": {
            "id": message["sender_id"],
            "username": names.sender_username,
            "display_name": sender,
        },
        "text": text[:PREVIEW_CHARS],
        "url": f"/#/chat/{message['chat_id']}",
    }


async def send_missed_messages(ctx: AppContext) -> int:
    """Mail each due conversation's unread messages (claimed once across processes);
    answers how many mails went out."""
    claimed = await ctx.db.write(store.claim_due, utcnow())
    sent = 0
    for (user_id, chat_id), message_ids in claimed.items():
        digest = await ctx.db.read(store.digest, user_id, chat_id, message_ids)
        if digest is None:  # read meanwhile, deleted, muted or unsubscribed
            continue
        token = unsubscribe_token(ctx.settings.signing_key, user_id)
        mail = missed_message_mail(digest, ctx.settings.mail_from, ctx.settings.public_url, token)
        ctx.mail.submit(mail)
        sent += 1
    return sent


def check_endpoint(ctx: AppContext, endpoint: str) -> None:
    parts = urlsplit(endpoint)
    allowed = ("https", "http") if ctx.settings.push_allow_http else ("https",)
    if parts.scheme not in allowed or not parts.netloc:
        raise Invalid("endpoint: must be an https URL of a push service", code="bad_endpoint")


async def subscribe(
    ctx: AppContext, user_id: int, session_id: str, endpoint: str, p256dh: str, auth: str
) -> None:
    """This device (signed in as `session_id`) gets pushes for `user_id` from now on,
    replacing any earlier owner, until that session ends."""
    check_endpoint(ctx, endpoint)
    await ctx.db.write(store.save_subscription, user_id, session_id, endpoint, p256dh, auth)


async def unsubscribe(ctx: AppContext, user_id: int, endpoint: str) -> None:
    """This device gets no more pushes; 404 when it wasn't subscribed for this user."""
    if not await ctx.db.write(store.delete_subscription, user_id, endpoint):
        raise NotFound("No such push subscription")


def _mute_unit(db, events: PendingEvents, chat_id: int, user_id: int, muted: bool) -> None:
    chat, membership = member_chat(db, chat_id, user_id)
    membership.muted = muted
    db.flush()
    # my other devices show the new state too: the chat as I see it, to my sockets only
    events.to_user(user_id, {"type": "chat.updated", "chat": chat_views(db, user_id, [chat])[0]})


async def set_muted(ctx: AppContext, user_id: int, chat_id: int, muted: bool) -> None:
    """A muted chat sends me no push and no missed-message email (mentions included); then
    chat.updated to my own sockets."""
    await write_and_publish(ctx, _mute_unit, chat_id, user_id, muted)


async def unsubscribe_by_token(ctx: AppContext, token: str) -> bool:
    """The mail's link: turn missed-message email off for the user the token names."""
    user_id = user_of_token(ctx.settings.signing_key, token)
    if user_id is None:
        return False
    await ctx.db.write(store.unsubscribe_email, user_id)
    log.info("user %s unsubscribed from missed-message email", user_id)
    return True

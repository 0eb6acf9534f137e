"""Messages: send (idempotent), history, edit, delete and the read pointer.

The REST routes and the WebSocket gateway both call these, so both behave the same.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from chinwag.accounts.models import User
from chinwag.accounts.verification import may_post, require_verified
from chinwag.commands.service import Answer, run_command
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from chinwag.events import PendingEvents, write_and_publish
from chinwag.files.service import attach_files, attachable_files
from chinwag.files.shapes import file_dict
from chinwag.membership.access import RANK, Muted, muted_now
from chinwag.membership.store import member_chat
from chinwag.messages import rendering, shortcodes, store
from chinwag.messages.edit_store import forget_versions, keep_version
from chinwag.messages.mention_store import store_mentions
from chinwag.messages.mentions import Mentioned, resolve_mentions
from chinwag.messages.models import Message
from chinwag.messages.views import Extras, message_dict, message_views, reply_dict
from chinwag.metrics import MESSAGES_SENT, SEND_SECONDS
from chinwag.notifications.service import mentions_added, message_sent
from chinwag.pins.store import forget_message

HISTORY_MAX = 100
POSTED_KINDS = ("text", "me")  # what people send (an emote is one), not the system's lines


@dataclass(frozen=True)
class Sent:
    message: dict | None  # None when a command answered instead
    created: bool  # False when the client_id had been sent before
    command: dict | None = None  # a command's answer for the sender alone (never stored)


def _clean_text(ctx: AppContext, text: str, *, may_be_empty: bool = False) -> str:
    text = text.strip()
    if not text and not may_be_empty:
        raise Invalid("text: must not be empty")
    if len(text) > ctx.settings.message_max_chars:
        raise Invalid(f"text: at most {ctx.settings.message_max_chars} characters")
    return text


def _send_unit(db: Tx, events: PendingEvents, draft: SendDraft) -> dict:
    """Store the message and what hangs off it (files, mentions, the sender's read pointer);
    queue message.new and the notifications."""
    if (
        draft.html is not None
        and draft.reply_to is None
        and not draft.attachment_ids
        and draft.kind == "text"
    ):
        message, anyone_else = store.send_plain(
            db, draft.chat_id, draft.sender_id, draft.text, draft.html, draft.client_id
        )
        return _queue_new(events, message, anyone_else, Extras(), Mentioned())
    anyone_else = store.posting_access(db, draft.chat_id, draft.sender_id)
    extras = Extras()
    if draft.reply_to is not None:
        extras.replies[draft.reply_to] = _reply_target(db, draft.chat_id, draft.reply_to)
    files = (
        attachable_files(db, draft.sender_id, draft.attachment_ids) if draft.attachment_ids else []
    )
    mentioned = Mentioned()
    html = draft.html
    if html is None:  # it names someone: render once the names are looked up
        mentioned = resolve_mentions(db, draft.chat_id, draft.sender_id, draft.parsed.names)
        html = rendering.render(draft.parsed, mentioned.names)
    message = store.insert_message(
        db,
        draft.chat_id,
        draft.sender_id,
        draft.text,
        client_id=draft.client_id,
        reply_to_id=draft.reply_to,
        html=html,
        mentions=mentioned.user_ids,
        attachment_count=len(files),
        sender_reads=True,
        kind=draft.kind,
    )
    if files:
        attach_files(db, message.id, draft.chat_id, files)
        extras.attachments[message.id] = [file_dict(f) for f in files]
    if mentioned:
        store_mentions(db, message, mentioned.user_ids, replace=False)
    return _queue_new(events, message, anyone_else, extras, mentioned)


def _queue_new(events, message, anyone_else: bool, extras: Extras, mentioned: Mentioned) -> dict:
    # Nobody else can have read a message this new; alone in the chat, it counts as read.
    payload = message_dict(message, not anyone_else, extras)
    events.to_chat(message.chat_id, {"type": "message.new", "message": payload})
    for user_id in mentioned.user_ids:
        events.to_user(
            user_id, {"type": "notification", "chat_id": message.chat_id, "message": payload}
        )
    return payload


@dataclass(slots=True)
class SendDraft:
    """A send, checked and parsed before its unit runs (the CPU work stays out of the writer)."""

    chat_id: int
    sender_id: int
    text: str
    client_id: str | None
    reply_to: int | None
    attachment_ids: Sequence[int]
    parsed: rendering.Draft | None  # None when the text is plain (html given)
    html: str | None  # rendered already when it names nobody
    kind: str = "text"  # "me": an emote (/me)


def _earlier_unit(db: Tx, sender_id: int, client_id: str, chat_id: int) -> dict | None:
    earlier = store.earlier_send(db, sender_id, client_id)
    if earlier is None:
        return None
    if earlier.chat_id != chat_id:
        raise Conflict(
            "This client_id was used for a message in another chat", code="client_id_reused"
        )
    return message_views(db, [earlier], store.read_state(db, chat_id))[0]


async def send_message(
    ctx: AppContext,
    sender: User,
    chat_id: int,
    text: str,
    client_id: str | None = None,
    reply_to: int | None = None,
    attachment_ids: Sequence[int] = (),
) -> Sent:
    """Store a message (markdown rendered, mentions resolved, files attached), then publish
    message.new to the chat and a notification to each member mentioned (and, for those with
    no socket open, a push and a missed-message email). The same client_id
    again (even at the same moment, from another process) stores nothing and returns the
    first message. One rate limit per sender over every transport: 429 past it. While
    verification is required, an unverified sender is refused (403 email_unverified).
    A text starting with `/` is a slash command (commands.service): it may be sent
    otherwise (`/me`, `/shrug`) or answered for the sender alone (Sent.command, nothing
    stored). Emoji shortcodes (`:wave:`) become the emoji, outside code."""
    started = time.perf_counter()
    if not may_post(ctx.settings, sender):  # two attribute reads: the send path stays as fast
        await require_verified(ctx, sender)
    if not ctx.limiter.allow(sender.id):
        wait = math.ceil(ctx.limiter.wait(sender.id)) or 1
        raise TooManyRequests("Slow down: too many messages", headers={"Retry-After": str(wait)})
    text = _clean_text(ctx, text, may_be_empty=bool(attachment_ids))
    kind = "text"
    if text.startswith("/"):
        outcome = await run_command(ctx, sender, chat_id, text)
        if isinstance(outcome, Answer):
            return Sent(None, created=False, command=outcome.as_dict())
        text, kind = _clean_text(ctx, outcome.text), outcome.kind
    text = shortcodes.emojize(text)
    html = rendering.plain_paragraph(text)
    parsed = None
    if html is None:
        parsed = rendering.parse(text)
        html = None if parsed.names else rendering.render(parsed)
    draft = SendDraft(
        chat_id, sender.id, text, client_id, reply_to, attachment_ids, parsed, html, kind
    )
    try:
        payload = await write_and_publish(ctx, _send_unit, draft, key=chat_id)
    except IntegrityError:
        # This client_id was sent before, or a concurrent send with it committed first (on
        # any process): the unique constraint decides. The failed unit gave its seq back, and
        # the first message is the answer.
        earlier = (
            await ctx.db.read(_earlier_unit, sender.id, client_id, chat_id) if client_id else None
        )
        if earlier is None:
            raise
        return Sent(earlier, created=False)
    MESSAGES_SENT.inc()
    SEND_SECONDS.observe(time.perf_counter() - started)  # stored and published
    message_sent(ctx, payload)  # push and missed-message email for those away
    return Sent(payload, created=True)


def _reply_target(db: Tx, chat_id: int, reply_to: int) -> dict:
    quoted = store.message_by_id(db, reply_to)
    if quoted is None or quoted.chat_id != chat_id:
        raise Invalid("reply_to: no such message in this chat")
    return reply_dict(quoted)


def _history_unit(db: Tx, me_id: int, chat_id: int, limit: int, before, after, offset):
    store.member_access(db, chat_id, me_id)
    if offset is not None:
        messages = store.page_at_offset(db, chat_id, limit, offset)
    else:
        messages = store.page(db, chat_id, limit, before, after)
    return message_views(db, messages, store.read_state(db, chat_id))


async def history(
    ctx: AppContext,
    me: User,
    chat_id: int,
    *,
    limit: int = 50,
    before: int | None = None,
    after: int | None = None,
    offset: int | None = None,
) -> list[dict]:
    """A page of messages, ascending by seq: after `after` and/or before `before`, or from
    `offset` counted from the first message, or else the latest ones."""
    if offset is not None and (before is not None or after is not None):
        raise BadRequest("Use offset or the before/after cursors, not both", code="bad_cursor")
    limit = min(limit, HISTORY_MAX)
    return await ctx.db.read_inline(_history_unit, me.id, chat_id, limit, before, after, offset)


def _message_for(db: Tx, me_id: int, message_id: int, *, lock: bool = False):
    message = db.get(Message, message_id, with_for_update=lock)
    if message is None:
        raise NotFound("No such message")
    try:
        chat, membership = member_chat(db, message.chat_id, me_id)
    except NotFound:
        raise NotFound("No such message") from None
    return message, chat, membership


def _edit_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int, text: str, ctx):
    # Locked (PostgreSQL; SQLite's writer is one already): two edits at once keep each other's
    # words in turn, not the same earlier version twice.
    message, chat, membership = _message_for(db, me_id, message_id, lock=True)
    if message.sender_id != me_id or message.kind not in POSTED_KINDS:
        raise Forbidden("You can only edit your own messages", code="not_sender")
    if muted_now(membership.muted_until, utcnow()):
        # an edit could say anything a send would; reacting and deleting stay open
        raise Muted(membership.muted_until)
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    text = _clean_text(ctx, text, may_be_empty=bool(message.attachment_count))
    if text == message.text:  # nothing changes: no version to keep, nobody to tell
        return message_views(db, [message], store.read_state(db, chat.id))[0], []
    now = utcnow()
    keep_version(db, message, me_id, now)  # the words this edit replaces, in its own unit
    message.text = text
    draft = rendering.parse(message.text)
    mentioned = resolve_mentions(db, chat.id, me_id, draft.names)
    earlier = list(message.mentions or [])
    newly_mentioned = set(mentioned.user_ids) - set(earlier)
    message.html = rendering.render(draft, mentioned.names)
    message.mentions = mentioned.user_ids
    message.edited_at = now
    if mentioned.user_ids != earlier:  # most edits fix a typo: no rows to rewrite
        store_mentions(db, message, mentioned.user_ids)
    db.flush()
    payload = message_views(db, [message], store.read_state(db, chat.id))[0]
    events.to_chat(chat.id, {"type": "message.updated", "message": payload})
    # Like a send, an edit notifies only the people it names for the first time.
    for user_id in sorted(newly_mentioned):
        events.to_user(user_id, {"type": "notification", "chat_id": chat.id, "message": payload})
    return payload, sorted(newly_mentioned)


async def edit_message(ctx: AppContext, me: User, message_id: int, text: str) -> dict:
    """Change the text of my own message, keeping the words it replaces in its edit history,
    then publish message.updated (and reach the people it names for the first time who are
    away, as a send does). The same text again changes nothing and tells nobody."""
    await require_verified(ctx, me)
    payload, newly_mentioned = await write_and_publish(
        ctx, _edit_unit, me.id, message_id, text, ctx
    )
    mentions_added(ctx, payload, newly_mentioned)
    return payload


def _delete_unit(db: Tx, events: PendingEvents, me_id: int, message_id: int) -> None:
    message, chat, membership = _message_for(db, me_id, message_id)
    is_admin = chat.kind == "group" and RANK[membership.role] >= RANK["admin"]
    if message.sender_id != me_id and not is_admin:
        raise Forbidden("You can only delete your own messages", code="not_sender")
    tombstone(db, events, message)


def tombstone(db: Tx, events: PendingEvents, message: Message) -> None:
    """Delete a message for everyone (its sender, a chat admin, a site moderator): its text
    and its edit history go, a tombstone keeps its seq, and it is no longer pinned or anyone's
    saved item (message.deleted says so to clients); members are told after the commit."""
    if message.deleted_at is not None:
        return
    forget_message(db, message.id)
    message.deleted_at = utcnow()
    message.text = None
    message.html = None
    # The row's UPDATE first: it waits for an edit of this message that is committing (the edit
    # holds the row), so the versions deleted next include the one that edit kept.
    db.flush()
    forget_versions(db, message.id)
    events.to_chat(
        message.chat_id,
        {
            "type": "message.deleted",
            "chat_id": message.chat_id,
            "message_id": message.id,
            "seq": message.seq,
        },
    )


async def delete_message(ctx: AppContext, me: User, message_id: int) -> None:
    """Delete a message (its sender, or an admin of the chat). A tombstone keeps its seq."""
    await write_and_publish(ctx, _delete_unit, me.id, message_id)

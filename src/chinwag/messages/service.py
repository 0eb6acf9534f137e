"""Messages: send (idempotent), history, edit, delete and the read pointer.

The REST routes and the WebSocket gateway both call these, so both behave the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.chats.access import RANK, member_chat, sender_access
from chinwag.chats.models import ChatMembership
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from chinwag.events import PendingEvents
from chinwag.files.service import attach_files, attachable_files
from chinwag.files.shapes import file_dict
from chinwag.messages import rendering
from chinwag.messages.mentions import Mentioned, resolve_mentions, store_mentions
from chinwag.messages.models import Message
from chinwag.messages.store import insert_message, read_state
from chinwag.messages.views import Extras, message_dict, message_views, reply_dict
from chinwag.metrics import MESSAGES_SENT

HISTORY_MAX = 100


@dataclass(frozen=True)
class Sent:
    message: dict
    created: bool  # False when the client_id had been sent before


def _clean_text(ctx: AppContext, text: str, *, may_be_empty: bool = False) -> str:
    text = text.strip()
    if not text and not may_be_empty:
        raise Invalid("text: must not be empty")
    if len(text) > ctx.settings.message_max_chars:
        raise Invalid(f"text: at most {ctx.settings.message_max_chars} characters")
    return text


async def _earlier_send(db: AsyncSession, sender_id: int, client_id: str) -> Message | None:
    return await db.scalar(
        select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id)
    )


async def _as_sent(db: AsyncSession, earlier: Message, chat_id: int) -> Sent:
    if earlier.chat_id != chat_id:
        raise Conflict(
            "This client_id was used for a message in another chat", code="client_id_reused"
        )
    state = await read_state(db, earlier.chat_id)
    return Sent((await message_views(db, [earlier], state))[0], created=False)


async def send_message(
    db: AsyncSession,
    ctx: AppContext,
    sender: User,
    chat_id: int,
    text: str,
    client_id: str | None = None,
    reply_to: int | None = None,
    attachment_ids: Sequence[int] = (),
) -> Sent:
    """Store a message (markdown rendered, mentions resolved, files attached), then publish
    message.new to the chat and a notification to each member mentioned. The same client_id
    again (even at the same moment, from another process) stores nothing and returns the
    first message."""
    text = _clean_text(ctx, text, may_be_empty=bool(attachment_ids))
    sender_id = sender.id  # a rollback below would expire `sender`
    anyone_else = await sender_access(db, chat_id, sender_id)
    extras = Extras()
    if reply_to is not None:
        extras.replies[reply_to] = await _reply_target(db, chat_id, reply_to)
    files = await attachable_files(db, sender_id, attachment_ids) if attachment_ids else []
    draft = rendering.parse(text)
    mentioned = (
        await resolve_mentions(db, chat_id, sender_id, draft.names) if draft.names else Mentioned()
    )
    try:
        message = await insert_message(
            db,
            chat_id,
            sender_id,
            text,
            client_id=client_id,
            reply_to_id=reply_to,
            html=rendering.render(draft, mentioned.names),
            mentions=mentioned.user_ids,
            attachment_count=len(files),
        )
    except IntegrityError:
        # This client_id was sent before, or a concurrent send with it committed first (on
        # any process): the unique constraint decides. The rollback gives back the seq taken
        # here, and the first message is the answer.
        await db.rollback()
        earlier = await _earlier_send(db, sender_id, client_id) if client_id else None
        if earlier is None:
            raise
        return await _as_sent(db, earlier, chat_id)
    if files:
        await attach_files(db, message.id, chat_id, files)
        extras.attachments[message.id] = [file_dict(f) for f in files]
    if mentioned:
        await store_mentions(db, message, mentioned.user_ids)
    # Sending reads everything before it.
    await db.execute(
        update(ChatMembership)
        .where(ChatMembership.chat_id == chat_id, ChatMembership.user_id == sender_id)
        .values(last_read_seq=message.seq, read_receipt_seq=message.seq)
    )
    # Nobody else can have read a message this new; alone in the chat, it counts as read.
    payload = message_dict(message, not anyone_else, extras)
    events = PendingEvents()
    events.to_chat(chat_id, {"type": "message.new", "message": payload})
    for user_id in mentioned.user_ids:
        events.to_user(user_id, {"type": "notification", "chat_id": chat_id, "message": payload})
    await events.commit_and_publish(db, ctx.broker)
    MESSAGES_SENT.inc()
    return Sent(payload, created=True)


async def _reply_target(db: AsyncSession, chat_id: int, reply_to: int) -> dict:
    quoted = await db.scalar(select(Message).where(Message.id == reply_to))
    if quoted is None or quoted.chat_id != chat_id:
        raise Invalid("reply_to: no such message in this chat")
    return reply_dict(quoted)


async def history(
    db: AsyncSession,
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
    await member_chat(db, chat_id, me.id)
    if offset is not None and (before is not None or after is not None):
        raise BadRequest("Use offset or the before/after cursors, not both", code="bad_cursor")
    query = select(Message).where(Message.chat_id == chat_id)
    if after is not None:
        query = query.where(Message.seq > after)
    if before is not None:
        query = query.where(Message.seq < before)
    newest_first = after is None and offset is None
    query = query.order_by(Message.seq.desc() if newest_first else Message.seq)
    if offset:
        query = query.offset(offset)
    messages = list(await db.scalars(query.limit(min(limit, HISTORY_MAX))))
    if newest_first:
        messages.reverse()
    state = await read_state(db, chat_id)
    return await message_views(db, messages, state)


async def _message_for(db: AsyncSession, me: User, message_id: int):
    message = await db.get(Message, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        chat, membership = await member_chat(db, message.chat_id, me.id)
    except NotFound:
        raise NotFound("No such message") from None
    return message, chat, membership


async def edit_message(
    db: AsyncSession, ctx: AppContext, me: User, message_id: int, text: str
) -> dict:
    """Change the text of my own message, then publish message.updated."""
    message, chat, _ = await _message_for(db, me, message_id)
    if message.sender_id != me.id or message.kind != "text":
        raise Forbidden("You can only edit your own messages", code="not_sender")
    if message.deleted_at is not None:
        raise Conflict("This message was deleted", code="message_deleted")
    message.text = _clean_text(ctx, text, may_be_empty=bool(message.attachment_count))
    draft = rendering.parse(message.text)
    mentioned = await resolve_mentions(db, chat.id, me.id, draft.names)
    earlier = list(message.mentions or [])
    newly_mentioned = set(mentioned.user_ids) - set(earlier)
    message.html = rendering.render(draft, mentioned.names)
    message.mentions = mentioned.user_ids
    message.edited_at = utcnow()
    if mentioned.user_ids != earlier:  # most edits fix a typo: no rows to rewrite
        await store_mentions(db, message, mentioned.user_ids)
    await db.flush()
    state = await read_state(db, chat.id)
    payload = (await message_views(db, [message], state))[0]
    events = PendingEvents()
    events.to_chat(chat.id, {"type": "message.updated", "message": payload})
    # Like a send, an edit notifies only the people it names for the first time.
    for user_id in sorted(newly_mentioned):
        events.to_user(user_id, {"type": "notification", "chat_id": chat.id, "message": payload})
    await events.commit_and_publish(db, ctx.broker)
    return payload


async def delete_message(db: AsyncSession, ctx: AppContext, me: User, message_id: int) -> None:
    """Delete a message (its sender, or an admin of the chat). A tombstone keeps its seq."""
    message, chat, membership = await _message_for(db, me, message_id)
    is_admin = chat.kind == "group" and RANK[membership.role] >= RANK["admin"]
    if message.sender_id != me.id and not is_admin:
        raise Forbidden("You can only delete your own messages", code="not_sender")
    if message.deleted_at is not None:
        return
    message.deleted_at = utcnow()
    message.text = None
    message.html = None
    events = PendingEvents()
    events.to_chat(
        chat.id,
        {
            "type": "message.deleted",
            "chat_id": chat.id,
            "message_id": message.id,
            "seq": message.seq,
        },
    )
    await events.commit_and_publish(db, ctx.broker)

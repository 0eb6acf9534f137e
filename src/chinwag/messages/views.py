"""The API shape of messages: the row plus its attachments, reactions and the quoted reply.

Extras are loaded for a whole page at once, and only when a message has any (the counters on
the row say so), so a page of plain messages costs no query beyond its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.db.base import iso
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.files.shapes import file_dict
from chinwag.messages.models import Message, Reaction

SNIPPET_CHARS = 120


@dataclass
class Extras:
    """What a page of messages shows beside its rows, keyed by message id."""

    attachments: dict[int, list[dict]] = field(default_factory=dict)
    reactions: dict[int, list[dict]] = field(default_factory=dict)
    replies: dict[int, dict] = field(default_factory=dict)  # keyed by the quoted message's id


NO_EXTRAS = Extras()


def snippet(text: str | None) -> str | None:
    """The start of a message's text on one line, for quotes and previews."""
    if text is None:
        return None
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET_CHARS else line[: SNIPPET_CHARS - 1] + "…"


def reply_dict(quoted: Message) -> dict:
    """`reply_to` of a message: where the quoted one is (its seq, so a client can jump to it),
    who wrote it and how it starts (null snippet once it is deleted)."""
    return {
        "id": quoted.id,
        "seq": quoted.seq,
        "sender_id": quoted.sender_id,
        "snippet": snippet(quoted.text),
    }


async def load_extras(db: AsyncSession, messages: Sequence[Message]) -> Extras:
    extras = Extras()
    with_files = [m.id for m in messages if m.attachment_count]
    if with_files:
        extras.attachments = await attachments_of(db, with_files)
    with_reactions = [m.id for m in messages if m.reaction_count]
    if with_reactions:
        extras.reactions = await reactions_of(db, with_reactions)
    quoted = {m.reply_to_id for m in messages if m.reply_to_id is not None}
    if quoted:
        rows = await db.execute(
            select(Message.id, Message.seq, Message.sender_id, Message.text).where(
                Message.id.in_(quoted)
            )
        )
        extras.replies = {row.id: reply_dict(row) for row in rows}
    return extras


async def attachments_of(db: AsyncSession, message_ids: list[int]) -> dict[int, list[dict]]:
    rows = await db.execute(
        select(MessageAttachment.message_id, StoredFile)
        .join(StoredFile, StoredFile.id == MessageAttachment.file_id)
        .where(MessageAttachment.message_id.in_(message_ids))
        .order_by(MessageAttachment.message_id, MessageAttachment.position)
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for message_id, stored in rows:
        found[message_id].append(file_dict(stored))
    return dict(found)


async def reactions_of(db: AsyncSession, message_ids: list[int]) -> dict[int, list[dict]]:
    """`[{emoji, count, user_ids}]` per message, emoji in the order they were first used."""
    rows = await db.execute(
        select(Reaction.message_id, Reaction.emoji, Reaction.user_id)
        .where(Reaction.message_id.in_(message_ids))
        .order_by(Reaction.message_id, Reaction.created_at, Reaction.user_id)
    )
    grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for message_id, emoji, user_id in rows:
        grouped[message_id].setdefault(emoji, []).append(user_id)
    return {
        message_id: [
            {"emoji": emoji, "count": len(users), "user_ids": users}
            for emoji, users in by_emoji.items()
        ]
        for message_id, by_emoji in grouped.items()
    }


def message_dict(message: Message, is_read: bool, extras: Extras = NO_EXTRAS) -> dict:
    """The API shape of a message (see messages.schemas.MessageOut)."""
    deleted = message.deleted_at is not None
    reply = None
    if message.reply_to_id is not None:
        reply = extras.replies.get(message.reply_to_id) or {
            "id": message.reply_to_id,
            "seq": None,
            "sender_id": None,
            "snippet": None,
        }
    return {
        "id": message.id,
        "chat_id": message.chat_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "text": None if deleted else message.text,
        "html": None if deleted else message.html,
        "client_id": message.client_id,
        "reply_to": reply,
        "mentions": [] if deleted else list(message.mentions or []),
        "attachments": [] if deleted else extras.attachments.get(message.id, []),
        "reactions": [] if deleted else extras.reactions.get(message.id, []),
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted": deleted,
        "is_read": is_read,
    }


async def message_views(db: AsyncSession, messages: Sequence[Message], state) -> list[dict]:
    """Messages in the API shape, `state` (store.ReadState) telling which are read."""
    extras = await load_extras(db, messages)
    return [message_dict(m, state.is_read(m), extras) for m in messages]

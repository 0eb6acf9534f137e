"""The API shape of messages: the row plus its attachments, reactions and the quoted reply.

Extras are loaded for a whole page at once, and only when a message has any (the counters on
the row say so), so a page of plain messages costs no query beyond its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from chinwag.db.base import iso
from chinwag.db.units import Tx
from chinwag.messages.store import attachments_of, reactions_of, reply_targets
from chinwag.pins.store import pinned_among

SNIPPET_CHARS = 120


@dataclass
class Extras:
    """What a page of messages shows beside its rows, keyed by message id."""

    attachments: dict[int, list[dict]] = field(default_factory=dict)
    reactions: dict[int, list[dict]] = field(default_factory=dict)
    replies: dict[int, dict] = field(default_factory=dict)  # keyed by the quoted message's id
    pinned: set[int] = field(default_factory=set)  # of the messages not read with their flag


NO_EXTRAS = Extras()


def snippet(text: str | None) -> str | None:
    """The start of a message's text on one line, for quotes and previews."""
    if text is None:
        return None
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET_CHARS else line[: SNIPPET_CHARS - 1] + "…"


def reply_dict(quoted) -> dict:
    """`reply_to` of a message: where the quoted one is (its seq, so a client can jump to it),
    who wrote it and how it starts (null snippet once it is deleted)."""
    return {
        "id": quoted.id,
        "seq": quoted.seq,
        "sender_id": quoted.sender_id,
        "snippet": snippet(quoted.text),
    }


def load_extras(db: Tx, messages: Sequence) -> Extras:
    extras = Extras()
    with_files = [m.id for m in messages if m.attachment_count]
    if with_files:
        extras.attachments = attachments_of(db, with_files)
    with_reactions = [m.id for m in messages if m.reaction_count]
    if with_reactions:
        extras.reactions = reactions_of(db, with_reactions)
    quoted = {m.reply_to_id for m in messages if m.reply_to_id is not None}
    if quoted:
        extras.replies = {id_: reply_dict(row) for id_, row in reply_targets(db, quoted).items()}
    unknown = [m.id for m in messages if getattr(m, "pinned", None) is None]
    if unknown:  # history's pages read the flag with their rows: nothing to look up there
        extras.pinned = pinned_among(db, unknown)
    return extras


def message_dict(message, is_read: bool, extras: Extras = NO_EXTRAS) -> dict:
    """The API shape of a message (see messages.schemas.MessageOut)."""
    deleted = message.deleted_at is not None
    pinned = getattr(message, "pinned", None)
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
        "pinned": bool(pinned) if pinned is not None else message.id in extras.pinned,
    }


def message_views(db: Tx, messages: Sequence, state) -> list[dict]:
    """Messages in the API shape, `state` (store.ReadState) telling which are read."""
    extras = load_extras(db, messages)
    return [message_dict(m, state.is_read(m), extras) for m in messages]

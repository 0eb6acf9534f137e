"""The SQL of edit history: keeping the version an edit replaces, reading a message's versions
newest first, and forgetting them when the message is deleted. Sync functions of a unit's
`db`; the rules (who may read them, when they are kept) are in messages.edits and
messages.service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from chinwag.db.units import Tx
from chinwag.messages.models import MessageEdit

E = MessageEdit.__table__


def keep_version(db: Tx, message, editor_id: int, now: datetime) -> None:
    """Keep what `message` says now (before the edit changes it): its text, its html and when
    it was written (sent, or the edit before this one), replaced `now` by `editor_id`."""
    db.execute(
        insert(E).values(
            message_id=message.id,
            text=message.text,
            html=message.html,
            written_at=message.edited_at or message.created_at,
            edited_at=now,
            edited_by=editor_id,
        )
    )


def versions(db: Tx, message_id: int, limit: int, before: int | None) -> list:
    """Up to `limit` kept versions of the message, newest first (before the edit `before`)."""
    stmt = select(E.c.id, E.c.text, E.c.html, E.c.written_at, E.c.edited_at, E.c.edited_by)
    stmt = stmt.where(E.c.message_id == message_id)
    if before is not None:
        stmt = stmt.where(E.c.id < before)
    return list(db.execute(stmt.order_by(E.c.id.desc()).limit(limit)))


def forget_versions(db: Tx, message_id: int) -> None:
    """A message deleted for everyone takes its earlier words with it."""
    db.execute(delete(E).where(E.c.message_id == message_id))

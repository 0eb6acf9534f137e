"""The SQL of pins and saved messages. Sync functions of a unit's `db`; the rules (who may
pin, what may be saved, who is told) are in pins.service and pins.saved."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import PreparedAmong
from chinwag.db.units import Tx
from chinwag.messages.models import Message
from chinwag.messages.store import COLUMNS, MessageRow
from chinwag.pins.models import Pin, SavedMessage

P = Pin.__table__
S = SavedMessage.__table__
M = Message.__table__
C = Chat.__table__
CM = ChatMembership.__table__
_ROW = [M.c[name] for name in COLUMNS]

_PINNED_AMONG = PreparedAmong(lambda among: select(P.c.message_id).where(among(P.c.message_id)))


def pinned_among(db: Tx, message_ids: Collection[int]) -> set[int]:
    """Which of `message_ids` are pinned (a page of history, search hits)."""
    return {row[0] for row in _PINNED_AMONG.all(db, message_ids)}


def pin_count(db: Tx, chat_id: int) -> int:
    return db.scalar(select(func.count()).select_from(P).where(P.c.chat_id == chat_id))


def add_pin(db: Tx, chat_id: int, message_id: int, user_id: int, now: datetime) -> bool:
    """Pin the message; False when it was pinned already (perhaps a moment ago, elsewhere)."""
    try:
        with db.begin_nested():
            db.execute(
                P.insert().values(
                    chat_id=chat_id, message_id=message_id, pinned_by=user_id, pinned_at=now
                )
            )
    except IntegrityError:
        return False
    return True


def remove_pin(db: Tx, message_id: int) -> tuple[int | None] | None:
    """Unpin the message; None when it wasn't pinned, else a 1-tuple of who had pinned it
    (None in it once their account is gone)."""
    row = db.execute(select(P.c.pinned_by).where(P.c.message_id == message_id)).first()
    if row is None:
        return None
    db.execute(delete(P).where(P.c.message_id == message_id))
    return (row[0],)


def chat_pins(db: Tx, chat_id: int) -> list[tuple[MessageRow, int | None, datetime]]:
    """The chat's pinned messages, the latest pinned first, with who pinned them and when."""
    rows = db.execute(
        select(*_ROW, P.c.pinned_by, P.c.pinned_at)
        .join(P, P.c.message_id == M.c.id)
        .where(P.c.chat_id == chat_id)
        .order_by(P.c.pinned_at.desc(), P.c.message_id.desc())
    )
    width = len(COLUMNS)
    return [(MessageRow(*row[:width], pinned=True), row[width], row[width + 1]) for row in rows]


def add_saved(db: Tx, user_id: int, message_id: int, now: datetime) -> bool:
    """Save the message for the user; False when it was saved already."""
    try:
        with db.begin_nested():
            db.execute(S.insert().values(user_id=user_id, message_id=message_id, saved_at=now))
    except IntegrityError:
        return False
    return True


def remove_saved(db: Tx, user_id: int, message_id: int) -> bool:
    removed = db.execute(delete(S).where(S.c.user_id == user_id, S.c.message_id == message_id))
    return bool(removed.rowcount)


def saved_at(db: Tx, user_id: int, message_id: int) -> datetime | None:
    return db.scalar(
        select(S.c.saved_at).where(S.c.user_id == user_id, S.c.message_id == message_id)
    )


def saved_page(
    db: Tx, user_id: int, limit: int, before: tuple[datetime, int] | None
) -> list[tuple[MessageRow, datetime]]:
    """The user's saved messages, the latest saved first, `before` a (saved_at, message_id)
    cursor; only those still readable: not deleted, in a chat (not deleted) the user is in."""
    query = (
        select(*_ROW, S.c.saved_at)
        .select_from(S)
        .join(M, M.c.id == S.c.message_id)
        .join(CM, and_(CM.c.chat_id == M.c.chat_id, CM.c.user_id == S.c.user_id))
        .join(C, C.c.id == M.c.chat_id)
        .where(S.c.user_id == user_id, M.c.deleted_at.is_(None), C.c.deleted_at.is_(None))
        .order_by(S.c.saved_at.desc(), S.c.message_id.desc())
        .limit(limit)
    )
    if before is not None:
        moment, message_id = before
        query = query.where(
            or_(
                S.c.saved_at < moment,
                and_(S.c.saved_at == moment, S.c.message_id < message_id),
            )
        )
    width = len(COLUMNS)
    return [(MessageRow(*row[:width]), row[width]) for row in db.execute(query)]


def forget_message(db: Tx, message_id: int) -> bool:
    """A message deleted for everyone is nobody's pin or saved item any more (its row stays as
    a tombstone, so the foreign keys don't remove them). Whether it was pinned."""
    db.execute(delete(S).where(S.c.message_id == message_id))
    return bool(db.execute(delete(P).where(P.c.message_id == message_id)).rowcount)

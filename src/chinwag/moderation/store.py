"""The SQL of moderation: reports, the open queue and resolving one. Sync functions of a
unit's `db`; the rules are in moderation.service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from chinwag.accounts.models import User
from chinwag.chats.models import Chat
from chinwag.db.units import Tx
from chinwag.messages.models import Message
from chinwag.moderation.models import Report

R, M, U, C = Report.__table__, Message.__table__, User.__table__, Chat.__table__


def add(db: Tx, message_id: int, reporter_id: int, reason: str) -> int | None:
    """The new report's id, or None when this person reported this message already."""
    try:
        with db.begin_nested():
            return db.execute(
                insert(R)
                .values(message_id=message_id, reporter_id=reporter_id, reason=reason)
                .returning(R.c.id)
            ).scalar_one()
    except IntegrityError:
        return None


def queue(db: Tx, open_only: bool, before: int | None, limit: int) -> list:
    """Reports newest first, with the message, its chat and sender, and the reporter."""
    sender, reporter = U.alias("sender"), U.alias("reporter")
    stmt = (
        select(
            R,
            M.c.chat_id,
            M.c.seq,
            M.c.text,
            M.c.sender_id,
            M.c.deleted_at,
            C.c.name.label("chat_name"),
            sender.c.username.label("sender_username"),
            reporter.c.username.label("reporter_username"),
        )
        .join(M, M.c.id == R.c.message_id)
        .join(C, C.c.id == M.c.chat_id)
        .outerjoin(sender, sender.c.id == M.c.sender_id)
        .outerjoin(reporter, reporter.c.id == R.c.reporter_id)
    )
    if open_only:
        stmt = stmt.where(R.c.resolution.is_(None))
    if before is not None:
        stmt = stmt.where(R.c.id < before)
    return list(db.execute(stmt.order_by(R.c.id.desc()).limit(limit)))


def open_report(db: Tx, report_id: int):
    """(message_id, sender_id) of an open report, or None."""
    return db.execute(
        select(R.c.message_id, M.c.sender_id)
        .join(M, M.c.id == R.c.message_id)
        .where(R.c.id == report_id, R.c.resolution.is_(None))
    ).one_or_none()


def close(db: Tx, message_id: int, resolution: str, by: int | None, now: datetime) -> int:
    """Close every open report of the message (one decision answers them all); how many."""
    return db.execute(
        update(R)
        .where(R.c.message_id == message_id, R.c.resolution.is_(None))
        .values(resolution=resolution, resolved_by=by, resolved_at=now)
    ).rowcount

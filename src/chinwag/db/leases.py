"""Leases on background jobs: a row per job names the process running it and until when, so
a job runs at most once at a time across processes and machines. Claimed with a conditional
UPDATE (only a lease that is free, expired or already ours), so two processes racing for it
cannot both win on either dialect: PostgreSQL locks the row, SQLite has one writer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, UTCDateTime
from chinwag.db.units import Tx


class JobLease(Base):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


L = JobLease.__table__


def claim(db: Tx, name: str, holder: str, now: datetime, hold: timedelta) -> bool:
    """Take (or extend) the lease on `name` until now + hold; False while another holds it."""
    taken = db.execute(
        update(L)
        .where(L.c.name == name, or_(L.c.expires_at <= now, L.c.holder == holder))
        .values(holder=holder, expires_at=now + hold)
    )
    if taken.rowcount:
        return True
    try:
        with db.begin_nested():  # the job's first run anywhere: its row is new
            db.execute(insert(L).values(name=name, holder=holder, expires_at=now + hold))
    except IntegrityError:
        return False  # the row exists and another holds it (or just inserted it)
    return True


def renew(db: Tx, name: str, holder: str, now: datetime, hold: timedelta) -> bool:
    """Extend a lease we hold; False when it is no longer ours (it expired and was taken)."""
    kept = db.execute(
        update(L).where(L.c.name == name, L.c.holder == holder).values(expires_at=now + hold)
    )
    return bool(kept.rowcount)


def release(db: Tx, name: str, holder: str, now: datetime) -> None:
    """Give the lease back at once, so the next run anywhere need not wait for it to expire."""
    db.execute(
        update(L).where(L.c.name == name, L.c.holder == holder).values(holder=None, expires_at=now)
    )

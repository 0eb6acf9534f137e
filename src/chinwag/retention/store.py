"""The SQL of the retention sweep: which messages are past their chat's retention, and one
batch of them deleted with what hangs off them. Sync units of a sweep's `db`.

A message's reactions, mentions, edit history, attachments, pin, saved items and
missed-message rows go with it by their foreign keys (ON DELETE CASCADE; SQLite's are on, see
chinwag.db.sqlite); replies to it keep their text and lose the link (SET NULL). Its search
entry goes too: on SQLite the FTS5 delete trigger of migration 0003 removes it, on PostgreSQL
it is a column of the row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat
from chinwag.db import leases
from chinwag.db.units import Tx
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Message

M = Message.__table__
C = Chat.__table__
A = MessageAttachment.__table__
F = StoredFile.__table__
U = User.__table__


@dataclass(frozen=True)
class Scope:
    """Chats kept for `days`: those of a group whose own retention is `days` (own=True), or
    those that keep the workspace's (own=False: no retention of their own, or one as long)."""

    days: int
    own: bool

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def chats(self):
        if self.own:
            return C.c.retention_days == self.days
        return or_(C.c.retention_days.is_(None), C.c.retention_days >= self.days)


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    hold: timedelta


@dataclass
class Removed:
    messages: int
    files: list[str]  # storage names of the files no longer used by anything


def scopes(db: Tx, workspace_days: int | None) -> list[Scope]:
    """What the sweep walks: the workspace's retention, then each shorter one a group set."""
    own = db.scalars(select(C.c.retention_days).where(C.c.retention_days.is_not(None)).distinct())
    found = [Scope(workspace_days, own=False)] if workspace_days else []
    for days in sorted(own):
        if workspace_days is None or days < workspace_days:
            found.append(Scope(days, own=True))
    return found


def _expired_ids(db: Tx, scope: Scope, cutoff: datetime, limit: int) -> list[int]:
    stmt = (
        select(M.c.id)
        .select_from(M.join(C, C.c.id == M.c.chat_id))
        .where(M.c.created_at < cutoff, scope.chats())
        .order_by(M.c.created_at, M.c.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def _unused_files(db: Tx, file_ids: Sequence[int]) -> list[tuple[int, str]]:
    """Of `file_ids`, those in no message any more and nobody's avatar."""
    if not file_ids:
        return []
    stmt = select(F.c.id, F.c.storage_name).where(
        F.c.id.in_(file_ids),
        ~exists().where(A.c.file_id == F.c.id),
        ~exists().where(U.c.avatar_file_id == F.c.id),
    )
    return [(row.id, row.storage_name) for row in db.execute(stmt)]


def remove_batch(
    db: Tx, lease: Lease, now: datetime, scope: Scope, cutoff: datetime, limit: int
) -> Removed | None:
    """Delete up to `limit` messages of `scope` created before `cutoff`, oldest first, and the
    files only they used. None when the lease is no longer ours: another process sweeps."""
    if not leases.renew(db, lease.name, lease.holder, now, lease.hold):
        return None
    ids = _expired_ids(db, scope, cutoff, limit)
    if not ids:
        return Removed(0, [])
    file_ids = list(db.scalars(select(A.c.file_id).where(A.c.message_id.in_(ids)).distinct()))
    # counted as deleted, not as found: what the metric says was removed, was
    deleted = db.execute(delete(M).where(M.c.id.in_(ids))).rowcount
    unused = _unused_files(db, file_ids)
    if unused:
        db.execute(delete(F).where(F.c.id.in_([file_id for file_id, _ in unused])))
    return Removed(deleted, [name for _, name in unused])

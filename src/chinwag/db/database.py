"""The database as services see it: `await db.read(fn, ...)` and `await db.write(fn, ...)`.

`fn` is a unit of work (chinwag.db.units): a synchronous function of an ORM Session that runs
inside one transaction where the driver lives, so a whole operation costs one hop, not one per
statement.

- SQLite: one writer thread owns the write connection and commits whatever units are queued
  together (group commit; savepoints only when a unit of the batch fails); reads run on a
  few reader threads with their own connections (WAL: they never wait behind the writer).
- PostgreSQL (asyncpg): units run through SQLAlchemy's sync facade on the event loop (no
  thread); writes go to a few lanes chosen by the unit's key (a chat id), each committing its
  queued units together, so one busy chat's seq row is locked once per batch, not per send.

Every wait is bounded; a database that is gone, frozen or locked raises DatabaseUnavailable
(503 `database_unavailable`), and the next call tries again: no restart needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from chinwag.db.units import Work
from chinwag.errors import DatabaseUnavailable

log = logging.getLogger("chinwag.db")

T = TypeVar("T")

# Bounds on every wait, so a frozen database answers 503 instead of hanging a request.
# DEADLINE is a call's whole wait: its turn at the writer, the pool, connecting and every
# statement; each of the others is within it.
DEADLINE = 3.5
SQLITE_BUSY_TIMEOUT_MS = int(DEADLINE * 1000)
PG_CONNECT_TIMEOUT = 3.0
PG_STATEMENT_TIMEOUT = DEADLINE
PG_POOL_TIMEOUT = 3.0
MAX_BATCH = 256
PG_MAX_BATCH = 128
PG_LANES = 4
SQLITE_READERS = 4
# PostgreSQL asks to run again a unit it picked as a deadlock victim or serialization failure.
RETRY_SQLSTATES = {"40P01", "40001"}
# SQLSTATEs of a server that is away or in trouble, whatever exception class carries them:
# connection exceptions (08), insufficient resources (53: too many connections, disk full),
# lock not available (55P03), operator intervention (57: shutting down, starting up,
# terminated, cancelled) and system errors (58: I/O).
UNAVAILABLE_SQLSTATES = ("08", "53", "55P03", "57", "58")


def is_unavailable(exc: BaseException) -> bool:
    """The database is gone, frozen, locked or unwritable (not: the unit's own mistake)."""
    if isinstance(exc, DatabaseUnavailable):
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError):
        return True
    state = sqlstate(exc)
    if state and state.startswith(UNAVAILABLE_SQLSTATES):
        return True
    # The driver's own exception classes (PEP 249 names them), wrapped by SQLAlchemy or not
    # (statements on the raw cursor are not).
    kinds = {cls.__name__ for cls in type(getattr(exc, "orig", None) or exc).__mro__}
    if kinds & {"OperationalError", "InterfaceError"}:
        return True
    # An InternalError the server did not send (no SQLSTATE) is the driver's: its connection
    # is in a state it cannot go on from (asyncpg: "another operation is in progress").
    return "InternalError" in kinds and state is None


def translated(exc: BaseException) -> BaseException:
    if is_unavailable(exc):
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("database unavailable: %s", detail)
        unavailable = DatabaseUnavailable("The database is unavailable; try again shortly")
        unavailable.__cause__ = exc
        return unavailable
    return exc


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def retryable(exc: BaseException) -> bool:
    return sqlstate(exc) in RETRY_SQLSTATES


class Database:
    """What services use; created in the app's lifespan by open_database()."""

    dialect: str

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError

    async def write(self, fn: Callable[..., T], *args: Any, key: int | None = None) -> T:
        raise NotImplementedError

    async def read_inline(self, fn: Callable[..., T], *args: Any) -> T:
        """A short read on a hot path (a token's session, a socket's chats, the ready frame, a
        history page): like read(), but on SQLite it runs on the calling thread, sparing a
        thread hop (~150 µs of CPU, more than the unit itself); a WAL reader never waits for
        the writer. Not for long queries such as search."""
        return await self.read(fn, *args)

    async def ping(self) -> bool:
        """Whether a write transaction can be opened now (readiness)."""
        try:
            await self.write(_nothing)
            return True
        except DatabaseUnavailable:
            return False

    async def close(self) -> None:
        raise NotImplementedError


def _nothing(db) -> None:
    db.execute(text("SELECT 1"))


def settle(done: list[tuple[asyncio.Future, Work]]) -> None:
    for future, work in done:
        if future.done():  # its caller was cancelled
            continue
        if work.ok:
            future.set_result(work.value)
        else:
            future.set_exception(translated(ordinary(work.value)))


def ordinary(exc: BaseException) -> BaseException:
    """What a caller may be handed: a unit that escaped with a BaseException that is not an
    Exception (a stray CancelledError...) has a bug, reported as one, not re-raised in the
    caller's task as if that task were being cancelled."""
    if isinstance(exc, Exception):
        return exc
    error = RuntimeError(f"a database unit raised {exc!r}")
    error.__cause__ = exc
    return error


def due(works: list[Work], now: float) -> list[Work]:
    """The works whose callers still wait; the others fail, not run (nothing stored)."""
    waiting = []
    for work in works:
        if work.deadline > now:
            waiting.append(work)
        else:
            work.ok, work.value = False, TimeoutError("waited too long for the database")
    return waiting


def stopping(exc: BaseException) -> None:
    """Re-raise `exc` when it is the lane's own cancellation (close()); anything else a unit
    raised, or a timeout, is the batch's failure and the lane goes on."""
    if isinstance(exc, asyncio.CancelledError) and asyncio.current_task().cancelling():
        raise exc


def closing(futures) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(DatabaseUnavailable("The database is closing"))


def open_database(url: str) -> Database:
    """The database named by `url` (sqlite+aiosqlite:// or postgresql+asyncpg://, as users
    write them; SQLite runs on the standard sqlite3 driver behind the writer thread)."""
    if url.startswith("sqlite"):
        from chinwag.db.sqlite import SQLiteDatabase

        return SQLiteDatabase(url)
    from chinwag.db.postgres import PostgresDatabase

    return PostgresDatabase(url)

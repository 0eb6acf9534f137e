"""The database as services see it: `await db.read(fn, ...)` and `await db.write(fn, ...)`.

`fn` is a unit of work (chinwag.db.units): a synchronous function of an ORM Session that runs
inside one transaction where the driver lives, so a whole operation costs one hop, not one per
statement.

- SQLite: one writer thread owns the write connection and commits whatever units are queued
  together (group commit, one SAVEPOINT per unit); reads run on a few reader threads with
  their own connections (WAL: they never wait behind the writer).
- PostgreSQL (asyncpg): units run through SQLAlchemy's sync facade on the event loop (no
  thread); writes go to a few lanes chosen by the unit's key (a chat id), each committing its
  queued units together, so one busy chat's seq row is locked once per batch, not per send.

Every wait is bounded; a database that is gone, frozen or locked raises DatabaseUnavailable
(503 `database_unavailable`), and the next call tries again: no restart needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.db.engine import ensure_sqlite_directory
from chinwag.db.units import Work, run_alone, run_batch, run_batch_optimistic, run_read
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
    state = _sqlstate(exc)
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


def _translated(exc: BaseException) -> BaseException:
    if is_unavailable(exc):
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("database unavailable: %s", detail)
        unavailable = DatabaseUnavailable("The database is unavailable; try again shortly")
        unavailable.__cause__ = exc
        return unavailable
    return exc


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _retryable(exc: BaseException) -> bool:
    return _sqlstate(exc) in RETRY_SQLSTATES


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


def _settle(done: list[tuple[asyncio.Future, Work]]) -> None:
    for future, work in done:
        if future.done():  # its caller was cancelled
            continue
        if work.ok:
            future.set_result(work.value)
        else:
            future.set_exception(_translated(_ordinary(work.value)))


def _ordinary(exc: BaseException) -> BaseException:
    """What a caller may be handed: a unit that escaped with a BaseException that is not an
    Exception (a stray CancelledError...) has a bug, reported as one, not re-raised in the
    caller's task as if that task were being cancelled."""
    if isinstance(exc, Exception):
        return exc
    error = RuntimeError(f"a database unit raised {exc!r}")
    error.__cause__ = exc
    return error


def _due(works: list[Work], now: float) -> list[Work]:
    """The works whose callers still wait; the others fail, not run (nothing stored)."""
    waiting = []
    for work in works:
        if work.deadline > now:
            waiting.append(work)
        else:
            work.ok, work.value = False, TimeoutError("waited too long for the database")
    return waiting


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, *, readers: int = SQLITE_READERS) -> None:
        ensure_sqlite_directory(url)
        database = make_url(url).database or ":memory:"
        sync_url = f"sqlite+pysqlite:///{database}"
        self.url = url
        self._write_engine = _sqlite_engine(sync_url, "BEGIN IMMEDIATE", pool_size=1)
        # One connection per reader thread, and one for each event loop's inline reads.
        self._read_engine = _sqlite_engine(sync_url, "BEGIN", pool_size=readers + 2)
        self._queue: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future, Work]]
        self._queue = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="sqlite-writer", daemon=True)
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._reader_connections: list[Connection] = []
        self._busy_ms = SQLITE_BUSY_TIMEOUT_MS  # the write connection's busy_timeout now
        self._writer.start()

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._readers, self._read_here, fn, args)
        except Exception as exc:
            raise _translated(exc) from None

    async def read_inline(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return self._read_here(fn, args)
        except Exception as exc:
            raise _translated(exc) from None

    def _read_here(self, fn, args):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._read_engine.connect()
            self._reader_connections.append(conn)
        try:
            return run_read(conn, fn, args)
        except Exception as exc:
            if is_unavailable(exc):
                self._local.conn = None
                conn.invalidate()
            raise

    async def write(self, fn: Callable[..., T], *args: Any, key: int | None = None) -> T:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((loop, future, Work(fn, args, key, time.monotonic() + DEADLINE)))
        return await future

    def _write_loop(self) -> None:
        conn: Connection | None = None
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(item)
            conn = self._commit(conn, batch)
        if conn is not None:
            conn.close()

    def _commit(self, conn: Connection | None, batch) -> Connection | None:
        works = _due([work for _, _, work in batch], time.monotonic())
        if works:
            # Units queued behind a batch that waited for the lock have waited already: the
            # lock is waited for only until the first of them is due, so each call answers
            # within DEADLINE of being made, not after every batch before it timed out too.
            budget = min(work.deadline for work in works) - time.monotonic()
            try:
                if conn is None:
                    conn = self._write_engine.connect()
                self._set_busy_timeout(conn, max(1, int(budget * 1000)))
                run_batch(conn, works)
            except BaseException as exc:  # noqa: BLE001 - the writer outlives any unit
                # The transaction failed (or a unit escaped it): nothing of it was stored.
                for work in works:
                    work.ok, work.value = False, exc
                if conn is not None and is_unavailable(exc):
                    with contextlib.suppress(Exception):
                        conn.invalidate()
                    conn, self._busy_ms = None, SQLITE_BUSY_TIMEOUT_MS
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for loop, future, work in batch:
            by_loop.setdefault(loop, []).append((future, work))
        for loop, done in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, done)
        return conn

    def _set_busy_timeout(self, conn: Connection, budget_ms: int) -> None:
        """Lowered only for units that have waited long already (a PRAGMA per batch would
        cost the hot path), back to the default after."""
        ms = budget_ms if budget_ms < SQLITE_BUSY_TIMEOUT_MS - 500 else SQLITE_BUSY_TIMEOUT_MS
        if ms != self._busy_ms:
            # On the driver's connection: through `conn` it would begin a transaction.
            conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout={ms}")
            self._busy_ms = ms

    async def close(self) -> None:
        self._queue.put(None)
        await asyncio.to_thread(self._writer.join)
        self._readers.shutdown(wait=True)
        for conn in self._reader_connections:
            conn.close()
        self._write_engine.dispose()
        self._read_engine.dispose()


def _sqlite_engine(url: str, begin: str, *, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=4,
        pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # The writer takes the write lock up front (IMMEDIATE), so a second process waits
        # (busy_timeout) instead of failing when a read turns into a write.
        connection.exec_driver_sql(begin)

    return engine


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, lanes: int = PG_LANES) -> None:
        self.url = url
        self.engine = create_async_engine(
            url,
            pool_size=10,
            max_overflow=20,
            pool_timeout=PG_POOL_TIMEOUT,
            pool_pre_ping=True,
            connect_args={"timeout": PG_CONNECT_TIMEOUT, "command_timeout": PG_STATEMENT_TIMEOUT},
        )
        self._lanes: list[asyncio.Queue] = [asyncio.Queue() for _ in range(lanes)]
        self._next_lane = itertools.cycle(range(lanes))
        self._lingering: set[asyncio.Task] = set()
        self._workers = [
            asyncio.create_task(self._lane(lane), name=f"pg-writer-{n}")
            for n, lane in enumerate(self._lanes)
        ]

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        deadline = asyncio.get_running_loop().time() + DEADLINE
        try:
            return await self._within(deadline, self._read(fn, args))
        except Exception as exc:
            raise _translated(exc) from None

    async def _read(self, fn: Callable[..., T], args: tuple) -> T:
        return await self._on_connection(run_read, fn, args)

    async def _on_connection(self, run: Callable[..., T], *args: Any) -> T:
        """`run(conn, *args)` on a pooled connection. One that failed as unavailable, or was
        cut off mid-statement by a deadline, is invalidated: never handed out again."""
        async with self.engine.connect() as conn:
            try:
                return await conn.run_sync(run, *args)
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError) or is_unavailable(exc):
                    with contextlib.suppress(Exception):
                        await conn.invalidate()
                raise

    async def _within(self, deadline: float, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` until `deadline` (the loop's clock) as a task of its own. When it is
        late, TimeoutError is raised now and the task is cancelled and left to let go of its
        connection by itself: closing one to a frozen server takes seconds (the driver's
        graceful close), which the caller must not wait for."""
        task = asyncio.create_task(coro)
        try:
            await asyncio.wait((task,), timeout=deadline - asyncio.get_running_loop().time())
        except asyncio.CancelledError:
            self._linger(task)
            raise
        if not task.done():
            self._linger(task)
            raise TimeoutError("the database did not answer in time")
        return task.result()

    def _linger(self, task: asyncio.Task) -> None:
        task.cancel()
        self._lingering.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task) -> None:
        self._lingering.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: it was reported to the caller as a timeout

    async def write(self, fn: Callable[..., T], *args: Any, key: int | None = None) -> T:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        lane = key % len(self._lanes) if key is not None else next(self._next_lane)
        self._lanes[lane].put_nowait((future, Work(fn, args, key, loop.time() + DEADLINE)))
        return await future

    async def _lane(self, lane: asyncio.Queue) -> None:
        while True:
            batch = [await lane.get()]
            while len(batch) < PG_MAX_BATCH and not lane.empty():
                batch.append(lane.get_nowait())
            # One lock order for every batch: units locking chats in the same order can't
            # deadlock each other.
            batch.sort(key=lambda item: (item[1].key is None, item[1].key or 0))
            try:
                await self._commit([work for _, work in batch])
            except asyncio.CancelledError:
                _closing(future for future, _ in batch)
                raise
            _settle(batch)

    async def _commit(self, works: list[Work]) -> None:
        """Run a batch, then alone again each unit PostgreSQL asked to retry. Every wait ends
        when the first of their callers is due, so a frozen database costs each call at most
        DEADLINE (not that plus the batches queued before its own)."""
        works = _due(works, asyncio.get_running_loop().time())
        if not works:
            return
        try:
            await self._within(min(work.deadline for work in works), self._run_batch(works))
        except BaseException as exc:  # noqa: BLE001 - the lane outlives any unit
            _stopping(exc)
            for work in works:
                work.ok, work.value, work.retry = False, exc, False
        for work in works:
            if work.retry:
                await self._run_alone(work)

    async def _run_batch(self, works: list[Work]) -> None:
        await self._on_connection(run_batch_optimistic, works, _retryable)

    async def _run_alone(self, work: Work) -> None:
        try:
            work.value = await self._within(work.deadline, self._alone(work))
            work.ok = True
        except BaseException as exc:  # noqa: BLE001 - the lane outlives any unit
            _stopping(exc)
            work.ok, work.value = False, exc

    async def _alone(self, work: Work) -> Any:
        return await self._on_connection(run_alone, work.fn, work.args)

    async def close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for lane in self._lanes:  # what was still queued is never run
            while not lane.empty():
                _closing([lane.get_nowait()[0]])
        await asyncio.gather(*self._lingering, return_exceptions=True)
        await self.engine.dispose()


def _stopping(exc: BaseException) -> None:
    """Re-raise `exc` when it is the lane's own cancellation (close()); anything else a unit
    raised, or a timeout, is the batch's failure and the lane goes on."""
    if isinstance(exc, asyncio.CancelledError) and asyncio.current_task().cancelling():
        raise exc


def _closing(futures) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(DatabaseUnavailable("The database is closing"))


def open_database(url: str) -> Database:
    """The database named by `url` (sqlite+aiosqlite:// or postgresql+asyncpg://, as users
    write them; SQLite runs on the standard sqlite3 driver behind the writer thread)."""
    if url.startswith("sqlite"):
        return SQLiteDatabase(url)
    return PostgresDatabase(url)

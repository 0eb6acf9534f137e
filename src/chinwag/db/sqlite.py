"""SQLite behind one writer thread (group commit, savepoints only for a batch that has a
failing unit) and reader threads with connections of their own (WAL: a reader never waits
for the writer)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url

from chinwag.db.database import (
    DEADLINE,
    MAX_BATCH,
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_READERS,
    Database,
    T,
    due,
    is_unavailable,
    settle,
    translated,
)
from chinwag.db.engine import ensure_sqlite_directory
from chinwag.db.units import Work, run_alone, run_batch_optimistic


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
            raise translated(exc) from None

    async def read_inline(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return self._read_here(fn, args)
        except Exception as exc:
            raise translated(exc) from None

    def _read_here(self, fn, args):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._read_engine.connect()
            self._reader_connections.append(conn)
        try:
            return run_alone(conn, fn, args)
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
        works = due([work for _, _, work in batch], time.monotonic())
        if works:
            # Units queued behind a batch that waited for the lock have waited already: the
            # lock is waited for only until the first of them is due, so each call answers
            # within DEADLINE of being made, not after every batch before it timed out too.
            budget = min(work.deadline for work in works) - time.monotonic()
            try:
                if conn is None:
                    conn = self._write_engine.connect()
                self._set_busy_timeout(conn, max(1, int(budget * 1000)))
                run_batch_optimistic(conn, works)
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
                loop.call_soon_threadsafe(settle, done)
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
        # (busy_timeout) instead of failing when a read turns into a write. On the driver's
        # connection: SQLAlchemy's exec_driver_sql cost ~100 µs, more than most reads.
        connection.connection.driver_connection.execute(begin).close()

    return engine

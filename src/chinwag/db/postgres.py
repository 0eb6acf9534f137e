"""PostgreSQL over asyncpg: units through SQLAlchemy's sync facade on the event loop, writes
in lanes keyed by chat, each committing what is queued in it together."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from chinwag.db.database import (
    DEADLINE,
    PG_CONNECT_TIMEOUT,
    PG_LANES,
    PG_MAX_BATCH,
    PG_POOL_TIMEOUT,
    PG_STATEMENT_TIMEOUT,
    Database,
    T,
    closing,
    due,
    is_unavailable,
    retryable,
    settle,
    stopping,
    translated,
)
from chinwag.db.units import Work, is_transactional, run_alone, run_batch_optimistic


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, lanes: int = PG_LANES) -> None:
        self.url = url
        # Writes: a few connections (one per lane, and a spare for units run alone).
        self.engine = _engine(url, pool_size=lanes + 1, max_overflow=lanes)
        # Reads in autocommit: at READ COMMITTED each statement sees its own snapshot anyway,
        # so a read's BEGIN and COMMIT were two round trips that bought nothing.
        # Mostly kept open: the pool closes an overflow connection as soon as it is back, so
        # a steady load past pool_size would connect (a PostgreSQL backend forked) per read.
        self.reader = _engine(url, pool_size=20, max_overflow=10, isolation_level="AUTOCOMMIT")
        self.reader_in_transaction = self.reader.execution_options(isolation_level="READ COMMITTED")
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
            raise translated(exc) from None

    async def _read(self, fn: Callable[..., T], args: tuple) -> T:
        # A unit marked transactional (it uses SET LOCAL) gets a real transaction.
        reader = self.reader_in_transaction if is_transactional(fn) else self.reader
        return await self._on_connection(run_alone, fn, args, engine=reader)

    async def _on_connection(
        self, run: Callable[..., T], *args: Any, engine: AsyncEngine | None = None
    ) -> T:
        """`run(conn, *args)` on a pooled connection. One that failed as unavailable, or was
        cut off mid-statement by a deadline, is invalidated: never handed out again."""
        async with (engine or self.engine).connect() as conn:
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
                closing(future for future, _ in batch)
                raise
            settle(batch)

    async def _commit(self, works: list[Work]) -> None:
        """Run a batch, then alone again each unit PostgreSQL asked to retry. Every wait ends
        when the first of their callers is due, so a frozen database costs each call at most
        DEADLINE (not that plus the batches queued before its own)."""
        works = due(works, asyncio.get_running_loop().time())
        if not works:
            return
        try:
            await self._within(min(work.deadline for work in works), self._run_batch(works))
        except BaseException as exc:  # noqa: BLE001 - the lane outlives any unit
            stopping(exc)
            for work in works:
                work.ok, work.value, work.retry = False, exc, False
        for work in works:
            if work.retry:
                await self._run_alone(work)

    async def _run_batch(self, works: list[Work]) -> None:
        await self._on_connection(run_batch_optimistic, works, retryable)

    async def _run_alone(self, work: Work) -> None:
        try:
            work.value = await self._within(work.deadline, self._alone(work))
            work.ok = True
        except BaseException as exc:  # noqa: BLE001 - the lane outlives any unit
            stopping(exc)
            work.ok, work.value = False, exc

    async def _alone(self, work: Work) -> Any:
        return await self._on_connection(run_alone, work.fn, work.args)

    async def close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for lane in self._lanes:  # what was still queued is never run
            while not lane.empty():
                closing([lane.get_nowait()[0]])
        await asyncio.gather(*self._lingering, return_exceptions=True)
        await self.engine.dispose()
        await self.reader.dispose()


def _engine(url: str, **options: Any) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_timeout=PG_POOL_TIMEOUT,
        connect_args={"timeout": PG_CONNECT_TIMEOUT, "command_timeout": PG_STATEMENT_TIMEOUT},
        **options,
    )
    event.listen(engine.sync_engine, "checkout", _closed_is_gone)
    return engine


def _closed_is_gone(dbapi_connection, record, proxy) -> None:
    """Instead of SQLAlchemy's pre-ping (three round trips per checkout on asyncpg: BEGIN, a
    ping, ROLLBACK): a connection whose server went away (restarted, stopped) has seen its
    socket close, which asyncpg already knows without asking. The pool then connects anew. A
    frozen server is not seen here; every statement's deadline covers that."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")

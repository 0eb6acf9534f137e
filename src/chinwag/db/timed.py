"""A Database that times each unit of work (queueing for the writer or a reader included)
into chinwag_db_unit_seconds, through the public read/write functions only."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chinwag.db.database import Database, T
from chinwag.metrics import DB_UNIT_SECONDS

_READ = DB_UNIT_SECONDS.labels("read")
_WRITE = DB_UNIT_SECONDS.labels("write")


class TimedDatabase(Database):
    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.dialect = inner.dialect

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        try:
            return await self.inner.read(fn, *args)
        finally:
            _READ.observe(time.perf_counter() - started)

    async def read_inline(self, fn: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        try:
            return await self.inner.read_inline(fn, *args)
        finally:
            _READ.observe(time.perf_counter() - started)

    async def write(self, fn: Callable[..., T], *args: Any, key: int | None = None) -> T:
        started = time.perf_counter()
        try:
            return await self.inner.write(fn, *args, key=key)
        finally:
            _WRITE.observe(time.perf_counter() - started)

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str):
        # Anything else a backend offers (its engine, for tests and tools) is its own.
        return getattr(self.inner, name)

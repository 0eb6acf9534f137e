"""asyncio's Event and Queue for objects kept per socket, without their per-instance deques.

An asyncio.Event allocates a deque of waiters (~760 bytes with its block) and an asyncio.Queue
four (its items, getters, putters and a `finished` Event): ~3.8 KiB for one socket's inbox and
flow-control flag, 38 MB at 10,000 sockets, almost all of it for waiters that never come.
These allocate a waiter only while someone waits.
"""

from __future__ import annotations

import asyncio
from typing import Any


class Flag:
    """asyncio.Event's is_set / set / clear / wait."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._set = value
        self._waiters: list[asyncio.Future] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class Inbox:
    """asyncio.Queue's put_nowait / get / empty / qsize, unbounded, for a few items at a time
    (a socket's incoming messages: uvicorn stops reading until the app takes one)."""

    __slots__ = ("_items", "_getters")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._getters: list[asyncio.Future] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        getters, self._getters = self._getters, None
        for getter in getters or ():
            if not getter.done():
                getter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            finally:
                if self._getters is not None and getter in self._getters:
                    self._getters.remove(getter)
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

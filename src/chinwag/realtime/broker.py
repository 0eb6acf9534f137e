"""Publish/subscribe between services and the sockets, chosen by URL (memory:// or redis://)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("chinwag.broker")

Listener = Callable[[str, str], None]


def encode_event(event: dict) -> str:
    """Serialise an event once; the same text goes to every recipient."""
    return json.dumps(event, separators=(",", ":"), default=str)


class Broker(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...
    async def publish(self, channel: str, event: dict) -> None: ...
    async def subscribe(self, channel: str) -> None: ...
    async def unsubscribe(self, channel: str) -> None: ...
    def set_listener(self, listener: Listener) -> None: ...


class MemoryBroker:
    """Fan-out inside one process: publish hands the bytes straight to the local listener."""

    def __init__(self) -> None:
        self._channels: set[str] = set()
        self._listener: Listener | None = None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._channels.clear()

    async def ping(self) -> bool:
        return True

    def set_listener(self, listener: Listener) -> None:
        self._listener = listener

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, event: dict) -> None:
        if channel in self._channels and self._listener is not None:
            self._listener(channel, encode_event(event))

"""The broker a URL names. Apart from both brokers, so that they import one way:
redis_broker imports broker, and only this module imports the two."""

from __future__ import annotations

from chinwag.realtime.broker import Broker, MemoryBroker
from chinwag.realtime.redis_broker import RedisBroker


def create_broker(url: str, namespace: str = "chinwag") -> Broker:
    if url.startswith("memory://"):
        return MemoryBroker()
    if url.startswith(("redis://", "rediss://")):
        return RedisBroker(url, namespace)
    raise ValueError(f"unknown broker URL scheme: {url.split(':', 1)[0]}")

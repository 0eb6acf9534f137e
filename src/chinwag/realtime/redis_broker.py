"""Redis pub/sub broker: fan-out across processes and machines.

A reader task owns the subscription connection. If Redis goes away it reconnects with a short
backoff and resubscribes every channel this process needs, so delivery resumes by itself
within seconds; events published meanwhile are lost to the live stream but stored, and
clients fetch them on resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from chinwag.metrics import BROKER_RECONNECTS
from chinwag.realtime.broker import Listener, encode_event

log = logging.getLogger("chinwag.broker")

RECONNECT_MIN, RECONNECT_MAX = 0.1, 1.0
CONTROL_CHANNEL = "control"  # always subscribed, so the connection opens at start


class RedisBroker:
    def __init__(self, url: str, namespace: str = "chinwag") -> None:
        # Every channel on the wire is "<namespace>:<channel>": deployments (and test runs)
        # sharing one Redis never see each other's events.
        self.namespace = namespace
        self._prefix = f"{namespace}:"
        common = {"socket_connect_timeout": 2, "socket_keepalive": True}
        # Commands (publish, presence) retry briefly, then fail rather than hang a request.
        self.redis = Redis.from_url(
            url, socket_timeout=3, **common, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2)
        )
        # The subscriber never retries on its own: the reader loop reconnects and resubscribes.
        self._sub_client = Redis.from_url(
            url, retry=Retry(NoBackoff(), 0), health_check_interval=5, **common
        )
        self._channels: set[str] = set()
        self._listener: Listener | None = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
        self.connected = asyncio.Event()

    def set_listener(self, listener: Listener) -> None:
        self._listener = listener

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="redis-broker-reader")

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self._sub_client.aclose()
        await self.redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def publish(self, channel: str, event: dict) -> None:
        try:
            await self.redis.publish(self._prefix + channel, encode_event(event))
        except (RedisError, OSError) as exc:
            # The change is committed; subscribers recover it through resume.
            log.warning("publish to %s failed: %s", channel, exc)

    async def subscribe(self, channel: str) -> None:
        wire = self._prefix + channel
        self._channels.add(wire)
        await self._safely(lambda p: p.subscribe(wire))

    async def unsubscribe(self, channel: str) -> None:
        wire = self._prefix + channel
        self._channels.discard(wire)
        await self._safely(lambda p: p.unsubscribe(wire))

    async def _safely(self, command) -> None:
        pubsub = self._pubsub
        if pubsub is None or not self.connected.is_set():
            return  # the reader subscribes everything in _channels when it (re)connects
        try:
            await command(pubsub)
        except (RedisError, OSError) as exc:
            log.debug("subscription change deferred to reconnect: %s", exc)

    async def _read_forever(self) -> None:
        delay = RECONNECT_MIN
        while True:
            try:
                await self._connect()
                delay = RECONNECT_MIN
                await self._pump()
            except (RedisError, OSError) as exc:
                if self.connected.is_set():
                    BROKER_RECONNECTS.inc()
                    log.warning("redis connection lost (%s); reconnecting", exc)
                self.connected.clear()
                await self._drop_pubsub()
                await asyncio.sleep(delay)  # backoff between reconnection attempts
                delay = min(delay * 2, RECONNECT_MAX)

    async def _connect(self) -> None:
        pubsub = self._sub_client.pubsub(ignore_subscribe_messages=True)
        self._pubsub = pubsub
        await pubsub.subscribe(self._prefix + CONTROL_CHANNEL, *self._channels)
        self.connected.set()
        # Channels added while we were subscribing are caught up here.
        subscribed = {c.decode() if isinstance(c, bytes) else c for c in pubsub.channels}
        missing = self._channels - subscribed
        if missing:
            await pubsub.subscribe(*missing)
        log.info("subscribed to redis (%d channels)", len(self._channels))

    async def _pump(self) -> None:
        pubsub = self._pubsub
        while True:
            message = await pubsub.get_message(timeout=5.0)
            if message is None or message["type"] != "message" or self._listener is None:
                continue
            channel = message["channel"].decode().removeprefix(self._prefix)
            try:
                self._listener(channel, message["data"].decode())
            except Exception:  # noqa: BLE001 - one bad event must not stop delivery
                log.exception("delivering an event from %s failed", channel)

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

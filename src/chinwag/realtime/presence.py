"""Who is online: users with at least one open socket on any process.

The hub tells presence when a user's first socket on this process opens and when the last one
closes; presence answers whether that changed the user's status everywhere.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from redis.exceptions import RedisError

from chinwag.metrics import JOB_RUNS

log = logging.getLogger("chinwag.realtime")

OnExpired = Callable[[int], Awaitable[None]]


class Presence(Protocol):
    async def start(self, on_expired: OnExpired) -> None: ...
    async def close(self) -> None: ...
    async def went_online(self, user_id: int) -> bool: ...
    async def went_offline(self, user_id: int) -> bool: ...
    async def heartbeat(self, user_ids: list[int]) -> None: ...
    async def sweep(self) -> None: ...
    async def online_user_ids(self) -> set[int]: ...
    async def online_among(self, user_ids: Collection[int]) -> set[int]: ...
    async def is_online(self, user_id: int) -> bool: ...


class MemoryPresence:
    """One process: online means a socket here."""

    def __init__(self) -> None:
        self._online: set[int] = set()

    async def start(self, on_expired: OnExpired) -> None:
        return None

    async def close(self) -> None:
        self._online.clear()

    async def went_online(self, user_id: int) -> bool:
        new = user_id not in self._online
        self._online.add(user_id)
        return new

    async def went_offline(self, user_id: int) -> bool:
        was = user_id in self._online
        self._online.discard(user_id)
        return was

    async def heartbeat(self, user_ids: list[int]) -> None:
        return None

    async def sweep(self) -> None:
        return None

    async def online_user_ids(self) -> set[int]:
        return set(self._online)

    async def online_among(self, user_ids: Collection[int]) -> set[int]:
        return self._online.intersection(user_ids)

    async def is_online(self, user_id: int) -> bool:
        return user_id in self._online


class RedisPresence:
    """Shared through Redis with expiry: per user, a sorted set of the processes holding one
    of their sockets (score = when that claim expires), plus one sorted set of online users.
    Live processes renew their claims; a process that dies stops renewing, and the sweep of
    any other process declares its users offline once the claims run out."""

    def __init__(self, redis, ttl: float = 60.0, namespace: str = "chinwag") -> None:
        self.redis = redis
        self.ttl = ttl
        self._user_key = f"{namespace}:presence:{{}}"
        self._online = f"{namespace}:presence:online"
        self.process_id = uuid.uuid4().hex
        self._on_expired: OnExpired | None = None

    def _key(self, user_id: int) -> str:
        return self._user_key.format(user_id)

    async def start(self, on_expired: OnExpired) -> None:
        self._on_expired = on_expired

    async def close(self) -> None:
        return None

    async def went_online(self, user_id: int) -> bool:
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(self._key(user_id), "-inf", now)
            pipe.zadd(self._key(user_id), {self.process_id: now + self.ttl})
            pipe.zcard(self._key(user_id))
            pipe.zadd(self._online, {str(user_id): now + self.ttl}, gt=True)
            pipe.zadd(self._online, {str(user_id): now + self.ttl}, nx=True)
            _, _, holders, _, _ = await pipe.execute()
        return holders == 1

    async def went_offline(self, user_id: int) -> bool:
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(self._key(user_id), self.process_id)
            pipe.zremrangebyscore(self._key(user_id), "-inf", now)
            pipe.zcard(self._key(user_id))
            _, _, holders = await pipe.execute()
        if holders:
            return False
        return bool(await self.redis.zrem(self._online, str(user_id)))

    async def heartbeat(self, user_ids: list[int]) -> None:
        if not user_ids:
            return
        expires = time.time() + self.ttl
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zadd(self._key(user_id), {self.process_id: expires})
                pipe.zadd(self._online, {str(user_id): expires}, gt=True)
            await pipe.execute()

    async def sweep(self) -> None:
        """Declare offline the users whose every claim has expired (their process died)."""
        now = time.time()
        for raw in await self.redis.zrangebyscore(self._online, "-inf", now):
            user_id = int(raw)
            await self.redis.zremrangebyscore(self._key(user_id), "-inf", now)
            if await self.redis.zcard(self._key(user_id)):
                continue
            # ZREM answers 1 to exactly one sweeper, so one process announces it.
            if await self.redis.zrem(self._online, raw) and self._on_expired:
                await self._on_expired(user_id)

    async def online_user_ids(self) -> set[int]:
        return {int(u) for u in await self.redis.zrangebyscore(self._online, time.time(), "+inf")}

    async def online_among(self, user_ids: Collection[int]) -> set[int]:
        """Which of these are online: asked about them only (a socket's `ready` asks about
        its contacts; fetching everyone online made a connection storm quadratic)."""
        if not user_ids:
            return set()
        asked = list(user_ids)
        now = time.time()
        scores = await self.redis.zmscore(self._online, [str(u) for u in asked])
        return {
            u for u, score in zip(asked, scores, strict=True) if score is not None and score > now
        }

    async def is_online(self, user_id: int) -> bool:
        score = await self.redis.zscore(self._online, str(user_id))
        return score is not None and score > time.time()


def create_presence(broker, ttl: float) -> Presence:
    """Shared through Redis when the broker is Redis, else this process's own."""
    redis = getattr(broker, "redis", None)
    if redis is None:
        return MemoryPresence()
    return RedisPresence(redis, ttl, broker.namespace)


async def keep_presence(ctx) -> None:
    """Renew this process's claims and sweep dead processes' users, every third of the TTL."""
    while True:
        await asyncio.sleep(ctx.settings.presence_ttl / 3)  # a period, not a synchronisation
        try:
            await ctx.presence.heartbeat(list(ctx.hub.connections))
            await ctx.presence.sweep()
        except (OSError, RedisError) as exc:
            JOB_RUNS.labels("presence_upkeep", "failed").inc()
            log.warning("presence upkeep failed: %s", exc)
        else:
            JOB_RUNS.labels("presence_upkeep", "ok").inc()

"""Two (or more) real `chinwag serve` processes on one PostgreSQL database of this run's own and
the test Redis (db 0, shared with others: never flushed; ids far from 1 keep others' events off
our channels). Each test needs both services: skipped outside CI when unset, failed in CI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from chinwag.client import ChinwagClient
from tests.conftest import PG_URL, REDIS_URL, need, scratch_database
from tests.multiprocess.helpers import (
    PASSWORD,
    Person,
    RedisLink,
    Server,
    named,
    spawn_server,
    wait_ready,
)


@pytest.fixture(autouse=True)
def _needs_postgres_and_redis() -> None:
    need("database", PG_URL)
    need("redis", REDIS_URL)


@pytest.fixture(scope="session")
def mp_database_url() -> Iterator[str]:
    """A fresh, migrated database for this run (migrated here, once: the servers then find it
    at head instead of racing each other to create it)."""
    need("database", PG_URL)
    with scratch_database("chinwag_mp", far_ids=True) as url:
        yield url


@dataclass
class Cluster:
    a: Server
    b: Server


@pytest.fixture(scope="session")
def cluster(mp_database_url, tmp_path_factory) -> Iterator[Cluster]:
    """Processes A and B, connected straight to Redis, shared by the tests that don't kill
    either of them."""
    need("redis", REDIS_URL)
    workdir = tmp_path_factory.mktemp("cluster")
    servers = [
        spawn_server(name, mp_database_url, named(REDIS_URL, f"cluster-{name}"), workdir / name)
        for name in ("a", "b")
    ]
    try:
        asyncio.run(wait_ready(*servers))
        yield Cluster(*servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
async def own_pair(mp_database_url, tmp_path) -> AsyncIterator[Cluster]:
    """A pair of this test's own, for a test that kills one of them."""
    servers = [
        spawn_server(name, mp_database_url, named(REDIS_URL, f"own-{name}"), tmp_path / name)
        for name in ("a", "b")
    ]
    try:
        await wait_ready(*servers)
        yield Cluster(*servers)
    finally:
        await asyncio.gather(*(asyncio.to_thread(s.stop) for s in servers))


@dataclass
class LinkedCluster(Cluster):
    link: RedisLink


@pytest.fixture(scope="module")
def linked_pair(mp_database_url, tmp_path_factory) -> Iterator[LinkedCluster]:
    """A pair that reaches Redis through a RedisLink the tests can cut and restore."""
    need("redis", REDIS_URL)
    redis = urlsplit(REDIS_URL)
    link = RedisLink(redis.hostname or "127.0.0.1", redis.port or 6379)
    link.open()
    userinfo = redis.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@127.0.0.1:{link.port}" if userinfo else f"127.0.0.1:{link.port}"
    via_link = redis._replace(netloc=netloc).geturl()
    workdir = tmp_path_factory.mktemp("linked")
    servers = [
        spawn_server(name, mp_database_url, named(via_link, f"linked-{name}"), workdir / name)
        for name in ("a", "b")
    ]
    try:
        asyncio.run(wait_ready(*servers))
        yield LinkedCluster(*servers, link)
    finally:
        for server in servers:
            server.stop()
        link.close()


@pytest.fixture
async def devices():
    """device(server, person) -> a ChinwagClient signed in (a session of its own) on that
    process, with its socket open. device(server, moved=client) is that same device (its
    token and what it has stored) reaching another process, as through a load balancer.
    All are closed after the test."""
    opened: list[ChinwagClient] = []

    async def open_device(
        server: Server,
        person: Person | None = None,
        *,
        moved: ChinwagClient | None = None,
        connect: bool = True,
    ):
        if moved is not None:
            client = ChinwagClient(server.url, moved.access_token)
            client.user, client.messages = moved.user, moved.messages
        else:
            client = await ChinwagClient.sign_in(server.url, person.username, PASSWORD)
        opened.append(client)
        if connect:
            await client.connect()
        return client

    yield open_device
    for client in opened:
        await client.close()

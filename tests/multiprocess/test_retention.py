"""The retention sweep with two real `chinwag serve` processes on one PostgreSQL database,
both sweeping every 0.2 s: the messages made old go, and the two processes' counters add up
to exactly what there was (a message deleted by both, or counted by both, would count twice).
Messages are made old in the database itself: another process's clock can't be moved."""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import REDIS_URL, scratch_database
from tests.multiprocess.conftest import Cluster
from tests.multiprocess.helpers import group, named, register, rest_send, spawn_server, wait_ready

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TOKEN = "retention-metrics-token"  # noqa: S105 - a test's own
REMOVED = re.compile(r'^chinwag_retention_removed_total\{kind="messages"\} (\S+)$', re.M)
DEADLINE = 30.0


@pytest.fixture(scope="module")
def sweeping_pair(tmp_path_factory):
    env = {
        "CHINWAG_RETENTION_DAYS": "1",
        "CHINWAG_RETENTION_SWEEP_SECONDS": "0.2",
        "CHINWAG_RETENTION_BATCH_SIZE": "3",
        "CHINWAG_METRICS_TOKEN": TOKEN,
    }
    workdir = tmp_path_factory.mktemp("retention")
    with scratch_database("chinwag_retention", far_ids=True) as url:
        servers = [
            spawn_server(name, url, named(REDIS_URL, f"retention-{name}"), workdir / name, env=env)
            for name in ("a", "b")
        ]
        try:
            asyncio.run(wait_ready(*servers))
            yield Cluster(*servers), url
        finally:
            for server in servers:
                server.stop()


async def removed_by(server) -> float:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return float(REMOVED.search(response.text).group(1))


async def _sql(url: str, statement: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement))
            return result.scalar() if result.returns_rows else result.rowcount
    finally:
        await engine.dispose()


# A statement trigger of the test's own: the sweep's last DELETE notifies on its commit.
EMPTIED = """CREATE OR REPLACE FUNCTION test_messages_emptied() RETURNS trigger AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM messages) THEN PERFORM pg_notify('test_emptied', ''); END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
ON_DELETE = """CREATE OR REPLACE TRIGGER test_messages_emptied AFTER DELETE ON messages
FOR EACH STATEMENT EXECUTE FUNCTION test_messages_emptied()"""


@asynccontextmanager
async def told_when_no_message_is_left(url: str):
    await _sql(url, EMPTIED)
    await _sql(url, ON_DELETE)
    emptied = asyncio.Event()
    listener = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    await listener.add_listener("test_emptied", lambda *_: emptied.set())
    try:
        yield emptied
    finally:
        await listener.close()
        await _sql(url, "DROP TRIGGER test_messages_emptied ON messages")


async def test_two_processes_sweep_each_message_once(sweeping_pair, devices):
    (cluster, url) = sweeping_pair
    a, b = cluster.a, cluster.b
    ana, bob = await register(a, "ana"), await register(a, "bob")
    ana_device = await devices(a, ana, connect=False)
    chat = await group(ana_device, bob)
    for n in range(10):
        server = a if n % 2 else b
        assert (await rest_send(server, ana_device, chat["id"], f"old {n}")).status_code == 201
    before = await removed_by(a) + await removed_by(b)

    async with told_when_no_message_is_left(url) as emptied:
        aged = await _sql(url, "UPDATE messages SET created_at = created_at - interval '2 days'")
        assert aged >= 10
        await asyncio.wait_for(emptied.wait(), DEADLINE)
    assert await _sql(url, "SELECT count(*) FROM messages") == 0
    assert await removed_by(a) + await removed_by(b) - before == aged
    fresh = await rest_send(a, ana_device, chat["id"], "after the sweep")
    assert fresh.status_code == 201 and fresh.json()["seq"] == chat["last_seq"] + 11

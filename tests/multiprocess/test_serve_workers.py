"""`chinwag serve --workers 2`: served with the Redis broker, refused with the memory one."""

import asyncio

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.multiprocess.helpers import PASSWORD, named, register, spawn_server, wait_ready

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_two_workers_with_the_redis_broker_serve(mp_database_url, tmp_path):
    server = spawn_server(
        "workers", mp_database_url, named(REDIS_URL, "workers"), tmp_path, "--workers", "2"
    )
    try:
        await wait_ready(server)
        person = await register(server, "wes")
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            response = await http.post(
                "/api/auth/login", json={"login": person.username, "password": PASSWORD}
            )
        assert response.status_code == 200, response.text
        assert response.json()["user"]["id"] == person.id
    finally:
        await asyncio.to_thread(server.stop)


async def test_two_workers_with_the_memory_broker_are_refused(mp_database_url, tmp_path):
    server = spawn_server("memory", mp_database_url, "memory://", tmp_path, "--workers", "2")
    try:
        returncode = await asyncio.to_thread(server.process.wait, 60)
    finally:
        await asyncio.to_thread(server.stop)
    assert returncode == 2
    output = server.log.read_text()
    assert "--workers > 1 needs a shared broker" in output
    assert "CHINWAG_BROKER_URL=redis://" in output

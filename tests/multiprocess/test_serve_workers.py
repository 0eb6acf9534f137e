"""`chinwag serve --workers 2`: served with the Redis broker, refused with the memory one;
its metrics add up the workers'."""

import asyncio
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from chinwag.client import ChinwagClient
from tests.conftest import REDIS_URL
from tests.multiprocess.helpers import (
    PASSWORD,
    free_port,
    named,
    register,
    spawn_server,
    wait_ready,
)

METRICS_TOKEN = "metrics-token-for-the-workers-test"

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


def open_sockets(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "chinwag_websockets_open":
                return sample.value
    raise AssertionError("no chinwag_websockets_open in the scrape")


async def test_the_metrics_of_two_workers_add_up(mp_database_url, tmp_path):
    metrics_port = free_port()
    server = spawn_server(
        "metrics",
        mp_database_url,
        named(REDIS_URL, "metrics"),
        tmp_path,
        "--workers",
        "2",
        "--metrics-port",
        str(metrics_port),
        env={"CHINWAG_METRICS_TOKEN": METRICS_TOKEN},
    )
    devices = []
    try:
        await wait_ready(server)
        person = await register(server, "mia")
        for _ in range(6):  # spread over both workers by the kernel
            devices.append(await ChinwagClient.sign_in(server.url, person.username, PASSWORD))
            await devices[-1].connect()
        async with httpx.AsyncClient(timeout=10) as http:
            # Each worker writes its gauge once a second: wait for both to have.
            deadline = time.monotonic() + 15
            while True:
                port = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
                if open_sockets(port.text) == 6 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
            public = await http.get(
                f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
            )
    finally:
        for device in devices:
            await device.close()
        await asyncio.to_thread(server.stop)
    assert open_sockets(port.text) == 6
    # Whichever worker answers the public port, it answers for both.
    assert public.status_code == 200 and open_sockets(public.text) == 6

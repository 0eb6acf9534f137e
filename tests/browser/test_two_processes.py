"""Two people on two `chinwag serve` processes that share a PostgreSQL database and Redis: what
one types shows live for the other. Needs both services (skipped outside CI when unset, failed
in CI)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    add_member,
    create_group,
    register,
    send,
    sidebar_chat,
    unique,
)
from tests.conftest import PG_URL, REDIS_URL, need, scratch_database

pytestmark = MODULE_LOOP

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own, dropped afterwards."""
    need("database", PG_URL)
    need("redis", REDIS_URL)
    with scratch_database("chinwag_browser", far_ids=True) as url:
        yield url


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=5) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"chinwag serve exited ({process.returncode}):\n{log.read_text()}")
            try:
                if http.get(f"{url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling the port: the process offers nothing to wait on
    pytest.fail(f"chinwag serve not ready after {START_TIMEOUT} s:\n{log.read_text()}")


def _spawn(port: int, env: dict, workdir: Path) -> tuple[subprocess.Popen, Path]:
    workdir.mkdir()
    log = workdir / "server.log"
    command = [sys.executable, "-m", "chinwag.cli", "serve", "--host", "127.0.0.1"]
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(  # noqa: S603 - our own command
            [*command, "--port", str(port)],
            env={**env, "CHINWAG_DATA_DIR": str(workdir / "data")},
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


@pytest.fixture
def two_servers(pg_database, tmp_path) -> Iterator[list[str]]:
    """Two `chinwag serve` processes on free ports, one database, one Redis, one secret."""
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    env.update(
        CHINWAG_DATABASE_URL=pg_database,
        CHINWAG_BROKER_URL=REDIS_URL,
        CHINWAG_SECRET_KEY=secrets.token_urlsafe(48),
        CHINWAG_ALLOWED_ORIGINS=json.dumps(urls),
        CHINWAG_PASSWORD_TIME_COST="1",
        CHINWAG_DEFAULT_GROUP="",  # each test makes the chats it counts
        CHINWAG_PASSWORD_MEMORY_KIB="1024",
    )
    processes = []
    try:
        for n, port in enumerate(ports):  # both start at once; then wait for each
            processes.append(_spawn(port, env, tmp_path / f"server{n}"))
        for url, (process, log) in zip(urls, processes, strict=True):
            _wait_ready(url, process, log)
        yield urls
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


async def test_two_people_on_two_processes_chat_live(open_page, two_servers):
    server_a, server_b = two_servers
    ana_page, bo_page = await open_page(server_a), await open_page(server_b)
    await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")

    # the group is made on A; Bo, on B, gets it live through Redis
    await create_group(ana_page, "Bridge")
    panel = await add_member(ana_page, bo, "Bo")
    await panel.get_by_role("button", name="Close").click()
    await sidebar_chat(bo_page, "Bridge").click()
    await expect(bo_page.locator("#chat-title")).to_have_text("Bridge")

    await send(ana_page, "typed on process A")
    await expect(bo_page.get_by_role("log")).to_contain_text("typed on process A")
    await bo_page.get_by_role("textbox", name="Message").press_sequentially("hi")
    await expect(ana_page.locator("#typing")).to_have_text("Bo is typing…")
    await send(bo_page, "typed on process B")
    await expect(ana_page.get_by_role("log")).to_contain_text("typed on process B")
    # read state crosses too: Bo had the chat open
    await expect(ana_page.locator(".message.mine", has_text="process A")).to_contain_text(
        "Read by 1"
    )
    log = bo_page.get_by_role("log")
    await expect(log.locator(".message", has_text="typed on process A")).to_have_count(1)
    assert ana_page.errors == [] and bo_page.errors == []

"""Helpers for the multi-process tests: real `chinwag serve` processes, a cuttable link to
Redis, people and their devices, and surgical Redis connection kills.

The test Redis is shared with other people: these helpers never flush it and only ever kill
connections whose client name carries this run's tag.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from chinwag.client import ChinwagClient

RUN_TAG = f"chinwag-mp-{os.getpid()}"  # in the Redis client name of every connection we open
SECRET_KEY = secrets.token_urlsafe(48)  # the same for every process: tokens work on any
PRESENCE_TTL = 3  # seconds; small so that a dead process's users expire during a test
REDIS_NAMESPACE = f"test{os.getpid()}"
PASSWORD = "correct horse battery"
START_TIMEOUT = 60.0
CHINWAG = [sys.executable, "-m", "chinwag.cli", "serve", "--host", "127.0.0.1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def named(redis_url: str, name: str) -> str:
    """The Redis URL with a client name, so this run's connections can be found and killed."""
    return f"{redis_url}{'&' if '?' in redis_url else '?'}client_name={RUN_TAG}-{name}"


@dataclass
class Server:
    """One `chinwag serve` process (its own session, so its workers can be ended with it)."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to Redis or the clients."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Hung: SIGABRT makes faulthandler write every thread's stack to the log.
                os.killpg(self.process.pid, signal.SIGABRT)  # our own process group only
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)


def spawn_server(
    name: str,
    database_url: str,
    broker_url: str,
    workdir: Path,
    *args: str,
    env: dict[str, str] | None = None,
) -> Server:
    """`chinwag serve` in a process of its own; `env` adds or overrides settings."""
    workdir.mkdir(parents=True, exist_ok=True)
    extra = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    env.update(
        CHINWAG_DATABASE_URL=database_url,
        CHINWAG_BROKER_URL=broker_url,
        CHINWAG_SECRET_KEY=SECRET_KEY,
        CHINWAG_DATA_DIR=str(workdir / "data"),
        CHINWAG_PASSWORD_MEMORY_KIB="1024",
        CHINWAG_PASSWORD_TIME_COST="1",
        CHINWAG_DEFAULT_GROUP="",  # each test makes the chats it counts
        CHINWAG_PRESENCE_TTL=str(PRESENCE_TTL),
        # The test Redis is shared by every run on this machine (and by CI's): each test
        # process keeps to its own channels and presence keys, or another run's sweep could
        # take (and announce elsewhere) the expiry of one of our users.
        CHINWAG_REDIS_NAMESPACE=REDIS_NAMESPACE,
        PYTHONFAULTHANDLER="1",  # a hung process can be made to tell where (see stop)
        # Every test's people sign in from 127.0.0.1 to servers that live for the session.
        CHINWAG_AUTH_RATE_BURST="10000",
        CHINWAG_WS_RATE_BURST="100000",
        CHINWAG_WS_FRAMES_BURST="100000",
    )
    env.update(extra)
    port = free_port()
    log = workdir / "server.log"
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        command = [*CHINWAG, "--port", str(port), *args]
        process = subprocess.Popen(  # noqa: S603 - our own command
            command,
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, log)


async def wait_ready(*servers: Server, timeout: float = START_TIMEOUT) -> None:
    """Until /readyz answers 200 on each (polling, briefly, for the port to open)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as http:
        for server in servers:
            while True:
                if server.process.poll() is not None:
                    pytest.fail(
                        f"{server.name} exited with {server.process.returncode}:\n"
                        f"{server.log_tail()}"
                    )
                try:
                    if (await http.get(f"{server.url}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{server.name} not ready after {timeout} s:\n{server.log_tail()}")
                await asyncio.sleep(0.05)


# -- Redis ---------------------------------------------------------------------------------


async def our_redis_clients(redis_url: str, name: str) -> list[dict]:
    """This run's connections whose client name starts with RUN_TAG-name."""
    async with Redis.from_url(redis_url) as redis:
        prefix = f"{RUN_TAG}-{name}"
        return [c for c in await redis.client_list() if c["name"].startswith(prefix)]


async def kill_redis_clients(redis_url: str, name: str) -> list[dict]:
    """CLIENT KILL, by id, each of our connections named RUN_TAG-name* (pub/sub and normal):
    what a Redis restart does to them, without touching anyone else's connections."""
    victims = await our_redis_clients(redis_url, name)
    async with Redis.from_url(redis_url) as redis:
        for client in victims:
            await redis.execute_command("CLIENT", "KILL", "ID", client["id"])
    return victims


class RedisLink:
    """A TCP relay in front of Redis that a test can cut and restore. Cut: every connection
    through it is reset and new ones are refused, which is what a process sees while Redis
    restarts; only the processes pointed at this link are affected. It runs its own event
    loop in a thread, so it outlives any one test's loop."""

    def __init__(self, redis_host: str, redis_port: int) -> None:
        self.upstream = (redis_host, redis_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="redis-link", daemon=True
        )
        self._thread.start()

    def _run(self, coroutine) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def cut(self) -> None:
        await asyncio.wrap_future(self._run(self._cut()))

    async def restore(self) -> None:
        await asyncio.wrap_future(self._run(self._listen()))

    @property
    def is_open(self) -> bool:
        return self._server is not None

    def open(self) -> None:
        self._run(self._listen()).result(timeout=10)

    def close(self) -> None:
        self._run(self._cut()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        ends = [writer]
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            ends.append(up_writer)
            self._writers.add(up_writer)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except OSError:
            pass
        finally:
            for end in ends:
                end.transport.abort()
                self._writers.discard(end)
            self._tasks.discard(task)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except OSError:
        pass
    finally:
        sink.transport.abort()  # one side gone: the other goes too, as with a dead server


# -- people and devices --------------------------------------------------------------------


@dataclass
class Person:
    id: int
    username: str


async def register(server: Server, label: str) -> Person:
    username = f"{label}_{uuid.uuid4().hex[:10]}"
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.post(
            "/api/auth/register",
            json={"email": f"{username}@example.com", "username": username, "password": PASSWORD},
        )
    assert response.status_code == 201, response.text
    return Person(response.json()["id"], username)


async def group(owner: ChinwagClient, *members: Person) -> dict:
    return await owner.request(
        "POST", "/api/chats", json={"name": "Team", "member_ids": [m.id for m in members]}
    )


def of_type(kind: str, **fields):
    return lambda e: e["type"] == kind and all(e.get(k) == v for k, v in fields.items())


def new_message(**fields):
    """A message.new event whose message has these fields."""
    return lambda e: (
        e["type"] == "message.new" and all(e["message"].get(k) == v for k, v in fields.items())
    )


def live_seqs(device: ChinwagClient, chat_id: int) -> list[int]:
    """The seqs of the chat's message.new events this socket received, in order."""
    return [
        e["message"]["seq"]
        for e in device.events
        if e["type"] == "message.new" and e["message"]["chat_id"] == chat_id
    ]


async def rest_send(
    server: Server, device: ChinwagClient, chat_id: int, text: str, client_id: str | None = None
) -> httpx.Response:
    """POST a message as this device's user to `server` (any process), the raw response."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        return await http.post(
            f"/api/chats/{chat_id}/messages",
            headers={"Authorization": f"Bearer {device.access_token}"},
            json={"text": text, "client_id": client_id or uuid.uuid4().hex},
        )


async def delivered_within(seconds: float, send, device: ChinwagClient, chat_id: int) -> dict:
    """Send probes (send(text) -> stored message) until one reaches `device` live; a probe
    published while a subscriber is still reconnecting is lost to the live stream, so each
    waits briefly and the next one tries again. Fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        probe = await send(f"probe {uuid.uuid4().hex[:6]}")
        try:
            return await device.wait_for(new_message(id=probe["id"], chat_id=chat_id), timeout=0.5)
        except TimeoutError:
            if time.monotonic() > deadline:
                pytest.fail(f"no live delivery within {seconds} s")

"""The Socket.IO transport with real clients: Node's socket.io-client (the version front ends
pin, from npm, installed once per lock file into the user's cache) driven through
node/driver.mjs, and python-socketio's AsyncClient. SQLite only: these are about the
transport; the services under it are the ones /ws's tests cover on both databases."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import socketio

from tests.npm import NODE, installed_script

HERE = Path(__file__).parent / "node"


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "chinwag.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def node_driver() -> Path:
    """driver.mjs beside node_modules with socket.io-client (tests/npm.py)."""
    return installed_script(HERE, "socketio-client", "socket.io-client", "driver.mjs")


class NodeClient:
    """One socket.io-client in a Node process: what it saw in `seen` (JSON lines of
    driver.mjs), commands through `emit`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[dict] = []
        self._changed = asyncio.Condition()
        self._acks = 0
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for line in self.process.stdout:
            async with self._changed:
                self.seen.append(json.loads(line))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    def events(self, name: str) -> list[dict]:
        return [s["data"] for s in self.seen if s["kind"] == "event" and s["event"] == name]

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10) -> dict:
        async def first() -> dict:
            async with self._changed:
                while True:
                    for line in self.seen:
                        if predicate(line):
                            return line
                    if self._reader.done():
                        raise ConnectionError(f"the Node client ended: {self.seen[-3:]}")
                    await self._changed.wait()

        return await asyncio.wait_for(first(), timeout)

    async def event(self, name: str, timeout: float = 10, **fields) -> dict:
        line = await self.wait_for(
            lambda s: (
                s["kind"] == "event"
                and s["event"] == name
                and all(s["data"].get(k) == v for k, v in fields.items())
            ),
            timeout,
        )
        return line["data"]

    async def emit(self, event: str, *args) -> None:
        await self._command({"emit": event, "args": list(args)})

    async def call(self, event: str, *args, timeout: float = 10) -> dict:
        """Emit with an acknowledgement callback; what the server answered through it."""
        self._acks += 1
        ack = self._acks
        await self._command({"emit": event, "args": list(args), "ack": ack})
        line = await self.wait_for(lambda s: s["kind"] == "ack" and s["ack"] == ack, timeout)
        assert line["error"] is None, line
        return line["data"]

    async def _command(self, command: dict) -> None:
        self.process.stdin.write(json.dumps(command).encode() + b"\n")
        await self.process.stdin.drain()

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._reader


@pytest.fixture
async def node(node_driver, live):
    """node(**options) -> a socket.io-client connecting to the live server with these
    options (auth, query, extraHeaders, transports: WebSocket unless told)."""
    clients: list[NodeClient] = []

    async def open_client(**options) -> NodeClient:
        options.setdefault("transports", ["websocket"])
        process = await asyncio.create_subprocess_exec(
            NODE,
            str(node_driver),
            live.url,
            json.dumps(options),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        client = NodeClient(process)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.close()


async def connected(client: NodeClient) -> dict:
    """Wait for the connect, then `ready`: the first event of every session."""
    line = await client.wait_for(lambda s: s["kind"] in ("connect", "connect_error"))
    assert line["kind"] == "connect", line
    first = await client.wait_for(lambda s: s["kind"] == "event")
    assert first["event"] == "ready", client.seen
    return first["data"]


async def refusal(client: NodeClient) -> dict:
    """The data of the connect_error that refused it (chinwag's error shape)."""
    line = await client.wait_for(lambda s: s["kind"] in ("connect", "connect_error"))
    assert line["kind"] == "connect_error", client.seen
    return line["data"]


class PyClient:
    """python-socketio's AsyncClient, recording every event and the connect_error."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, object]] = []
        self.refused: object = None
        self._changed = asyncio.Event()

        @self.sio.on("*")
        async def any_event(event, *args):
            self.events.append((event, args[0] if args else None))
            self._changed.set()

        @self.sio.event
        async def connect_error(data):
            self.refused = data
            self._changed.set()

    async def event(self, name: str, timeout: float = 10) -> object:
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()
                for event, data in self.events:
                    if event == name:
                        return data
                await self._changed.wait()


@pytest.fixture
async def pyclient(live):
    """pyclient(auth=..., headers=..., query=...) -> a PyClient; connect() raises on a
    refusal (its connect_error data in client.refused)."""
    clients: list[PyClient] = []

    async def open_client(*, query: str = "", **options) -> PyClient:
        client = PyClient()
        clients.append(client)
        await client.sio.connect(
            live.url + query, transports=["websocket"], wait_timeout=10, **options
        )
        return client

    yield open_client
    for client in clients:
        await client.sio.disconnect()

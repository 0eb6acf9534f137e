"""A real uvicorn server in the test's event loop, and real WebSocket clients."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from chinwag.app import create_app
from chinwag.client import ChinwagClient
from chinwag.serving import guarded_protocol, uvicorn_options
from tests.conftest import Person


@dataclass
class LiveServer:
    url: str
    app: object

    @property
    def ctx(self):
        return self.app.state.ctx


async def start_server(
    settings,
    *,
    app=None,
    send_buffer: int | None = None,
    listener: socket.socket | None = None,
    **config,
) -> tuple[uvicorn.Server, asyncio.Task, LiveServer]:
    """Serve `app` (chinwag's for `settings` by default) on a free port (or on `listener`, a
    socket bound already: when the settings must name the address). `send_buffer` caps
    the kernel's send buffer of every accepted socket (inherited from the listening one), so
    a client that stops reading fills it after kilobytes, not megabytes. `config` goes to
    uvicorn."""
    app = app if app is not None else create_app(settings)
    options = {"lifespan": "on"}
    if settings is not None:
        options |= uvicorn_options(settings, guarded_protocol(settings))
    if listener is None:
        listener = socket.socket()
        if send_buffer is not None:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    options = {"log_config": None, "access_log": False, **options, **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.install_signal_handlers = lambda: None  # leave pytest's handlers alone
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:  # uvicorn offers no event; poll its flag
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, LiveServer(f"http://127.0.0.1:{port}", app)


async def stop_server(server: uvicorn.Server, task: asyncio.Task) -> None:
    server.should_exit = True
    await task


@pytest.fixture
def server_options() -> dict:
    """Override in a test module to pass start_server() options (send_buffer, uvicorn's)."""
    return {}


@pytest.fixture
async def live(settings, server_options):
    server, task, handle = await start_server(settings, **server_options)
    yield handle
    await stop_server(server, task)


@pytest.fixture
async def connect(live):
    """connect(person) -> a ChinwagClient for that person with its socket open."""
    clients: list[ChinwagClient] = []

    async def open_client(person, *, resume: bool = True, **options) -> ChinwagClient:
        client = ChinwagClient(live.url, person.access_token, **options)
        clients.append(client)
        await client.connect(resume=resume)
        return client

    yield open_client
    for client in clients:
        await client.close()


@pytest.fixture
async def http(live):
    """An HTTP client for the live server."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client


@pytest.fixture
async def people(http):
    """people(*names) -> registered, signed-in Persons on the live server."""
    from tests.conftest import sign_up

    async def make(*names: str):
        return [await sign_up(http, name) for name in names]

    return make


@pytest.fixture
def sign_in_again(http):
    """sign_in_again(person) -> the same user signed in on another device (a new session)."""

    async def sign_in(person: Person) -> Person:
        response = await http.post(
            "/api/auth/login", json={"login": person.username, "password": person.password}
        )
        assert response.status_code == 200, response.text
        return person.signed_in_again(response.json())

    return sign_in


class LogWatch(logging.Handler):
    """Keeps every record given to it and wakes whoever waits for one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._changed.set()

    def count(self, event: str, **fields) -> int:
        return sum(
            getattr(r, "event", None) == event
            and all(getattr(r, k, None) == v for k, v in fields.items())
            for r in self.records
        )

    async def wait_for(self, event: str, count: int = 1, timeout: float = 10, **fields) -> None:
        """Until `count` records of this `event` (an `extra` field) with these fields arrive."""
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()
                if self.count(event, **fields) >= count:
                    return
                await self._changed.wait()


@pytest.fixture
def server_log(live):
    """Records of the live server's `chinwag` loggers, as logged (before any handler), e.g.
    `await server_log.wait_for("ws_close", user_id=ana.id)` once its socket is cleaned up."""
    logger = logging.getLogger("chinwag")  # create_app() made it not propagate
    watch = LogWatch()
    logger.handlers.insert(0, watch)
    yield watch
    logger.removeHandler(watch)

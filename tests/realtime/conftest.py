"""A real uvicorn server in the test's event loop, and real WebSocket clients."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import pytest
import uvicorn

from chinwag.app import create_app
from chinwag.client import ChinwagClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    app: object

    @property
    def ctx(self):
        return self.app.state.ctx


async def start_server(settings) -> tuple[uvicorn.Server, asyncio.Task, LiveServer]:
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                            access_log=False, lifespan="on",
                            ws_max_size=settings.ws_max_frame_bytes,
                            ws_ping_interval=settings.ws_ping_interval,
                            ws_ping_timeout=settings.ws_ping_timeout)
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # leave pytest's handlers alone
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event; poll its flag
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, LiveServer(f"http://127.0.0.1:{port}", app)


async def stop_server(server: uvicorn.Server, task: asyncio.Task) -> None:
    server.should_exit = True
    await task


@pytest.fixture
async def live(settings):
    server, task, handle = await start_server(settings)
    yield handle
    await stop_server(server, task)


@pytest.fixture
async def connect(live):
    """connect(person) -> a ChinwagClient for that person with its socket open."""
    clients: list[ChinwagClient] = []

    async def open_client(person, *, resume: bool = True) -> ChinwagClient:
        client = ChinwagClient(live.url, person.access_token)
        clients.append(client)
        await client.connect(resume=resume)
        return client

    yield open_client
    for client in clients:
        await client.close()


@pytest.fixture
async def people(live):
    """people(n) -> n registered, signed-in Persons on the live server."""
    import httpx

    from tests.conftest import sign_up

    async with httpx.AsyncClient(base_url=live.url) as http:

        async def make(*names: str):
            return [await sign_up(http, name) for name in names]

        yield make

"""A client that stops reading: its own bounded queue fills while everyone else is served;
typing is dropped first, then the socket is closed with 1013 and must resume."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter

import pytest
import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from chinwag.realtime.connection import Connection
from tests.realtime.conftest import start_server, stop_server
from tests.realtime.helpers import (
    OP_TEXT,
    RawSocket,
    barrier,
    close_code,
    flood,
    new_group,
)

QUEUE = 8
BIG = 100_000
# Small kernel buffers on both ends: a stuck reader holds about 1 MB (the two buffers, one
# message in flight, QUEUE queued), so this many big messages overflow it whatever the timing.
FLOOD = 24
TCP_ESTABLISHED = 1


LIMITS = {"ws_send_queue": QUEUE, "message_max_chars": BIG}


@pytest.fixture
def settings_overrides():
    return LIMITS


@pytest.fixture
def server_options():
    return {"send_buffer": 16 * 1024}


@pytest.fixture
async def stuck(people, http, live, connect):
    """ana's phone stops reading after `ready`; her laptop and cyd read as usual; bob sends
    FLOOD big messages through REST. Answers (phone, laptop, cyd_socket, chat, sent ids)."""
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob, cyd)
    phone = await RawSocket.open(live.url, ana.access_token, receive_buffer=4096)
    assert (await phone.read_event())["type"] == "ready"
    laptop, cyd_socket = await connect(ana), await connect(cyd)
    sent = await flood(http, bob, chat["id"], (laptop, cyd_socket), FLOOD, BIG)
    yield phone, laptop, cyd_socket, chat, sent
    phone.close()


async def test_a_stuck_reader_never_delays_anyone_else(stuck):
    _, laptop, cyd_socket, _, sent = stuck
    for device in (laptop, cyd_socket):
        await device.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == sent[-1]
        )
        got = [e["message"]["id"] for e in device.events if e["type"] == "message.new"]
        assert got[-FLOOD:] == sent


async def test_a_stuck_reader_is_closed_with_1013_once_its_queue_overflows(stuck):
    phone, _, _, chat, sent = stuck
    frames = await phone.frames_until_close(timeout=5)  # it reads again: what was kept?
    *texts, (_, payload) = frames
    assert close_code(payload) == 1013
    events = [json.loads(p) for op, p in texts if op == OP_TEXT]
    seqs = [e["message"]["seq"] for e in events if e["type"] == "message.new"]
    # A prefix, then the gap it must fetch on resume: never a message after a lost one.
    assert 0 < len(seqs) < FLOOD
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


@pytest.mark.parametrize("settings_overrides", [{**LIMITS, "ws_ping_timeout": 1}])
async def test_a_reader_stuck_for_good_is_forgotten_all_the_same(server_log, stuck, live):
    # server_log first: the phone may be given up on while `stuck` is still flooding it.
    _, laptop, _, _, _ = stuck
    ana_id = laptop.ready["user"]["id"]
    await server_log.wait_for("ws_close", user_id=ana_id, timeout=5)
    assert len(live.ctx.hub.connections[ana_id]) == 1  # the laptop, which reads
    await barrier(laptop)


def tcp_state(device: RawSocket) -> int:
    """The kernel's TCP state of the client's end (1: established)."""
    info = device.writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)
    return info[0]


@pytest.mark.parametrize("settings_overrides", [{**LIMITS, "ws_ping_timeout": 1}])
async def test_the_connection_of_a_reader_stuck_for_good_is_aborted(server_log, stuck):
    # Its close frame waits behind the unsent events for ever: the server aborts the TCP
    # connection after the close timeout instead of keeping it (and a descriptor) open.
    phone, laptop, _, _, _ = stuck
    await server_log.wait_for("ws_close", user_id=laptop.ready["user"]["id"], timeout=5)
    deadline = asyncio.get_running_loop().time() + 5
    while tcp_state(phone) == TCP_ESTABLISHED:  # the kernel tells no one: look
        assert asyncio.get_running_loop().time() < deadline, "still established"
        await asyncio.sleep(0.05)


# -- the overflow policy of one Connection, on a real socket ------------------------------


def serve_queue(script, limit: int = 3) -> Starlette:
    """An app whose socket's Connection gets `script` queued before its writer starts (as if
    the reader were stuck), then echoes each received text through the same queue."""

    async def endpoint(websocket) -> None:
        await websocket.accept()
        connection = Connection(websocket, user_id=1, session_id="s", limit=limit)
        script(connection)
        connection.start()
        try:
            while (message := await websocket.receive())["type"] == "websocket.receive":
                connection.send(message["text"])
        finally:
            await connection.stop()

    return Starlette(routes=[WebSocketRoute("/ws", endpoint)])


@pytest.fixture
async def queue_server():
    """queue_server(script, limit) -> the ws:// URL of serve_queue(script, limit)."""
    running = []

    async def start(script, limit: int = 3) -> str:
        server, task, handle = await start_server(None, app=serve_queue(script, limit))
        running.append((server, task))
        return handle.url.replace("http", "ws", 1) + "/ws"

    yield start
    for server, task in running:
        await stop_server(server, task)


def event(name: str) -> str:
    return json.dumps({"type": "message.new", "name": name})


TYPING = json.dumps({"type": "typing"})


async def received_until(socket, marker: str) -> list[str]:
    await socket.send(marker)
    got = []
    while (text := await socket.recv()) != marker:
        got.append(text)
    return got


async def test_below_the_limit_nothing_is_dropped(queue_server):
    def script(connection):
        connection.send(TYPING, droppable=True)
        connection.send(event("m1"))

    async with websockets.connect(await queue_server(script)) as socket:
        assert await received_until(socket, "end") == [TYPING, event("m1")]


async def test_when_full_typing_is_dropped_first(queue_server):
    def script(connection):
        connection.send(json.dumps({"type": "typing", "n": 1}), droppable=True)
        connection.send(event("m1"))
        connection.send(json.dumps({"type": "typing", "n": 2}), droppable=True)  # full
        connection.send(event("m2"))  # drops typing 1
        connection.send(event("m3"))  # drops typing 2
        connection.send(TYPING, droppable=True)  # full of events: this typing goes

    before = counted()
    async with websockets.connect(await queue_server(script)) as socket:
        assert await received_until(socket, "end") == [event("m1"), event("m2"), event("m3")]
    assert counted() - before == {"dropped_typing": 3}


def counted() -> Counter:
    """The metrics of drops and 1013 closes so far (this process's)."""
    from prometheus_client import REGISTRY

    from chinwag.metrics import flush

    flush()
    read = REGISTRY.get_sample_value
    return Counter(
        closes_1013=read("chinwag_websocket_closes_total", {"code": "1013"}),
        dropped_overflow=read("chinwag_events_dropped_total", {"reason": "overflow"}),
        dropped_typing=read("chinwag_events_dropped_total", {"reason": "typing"}),
    )


async def test_when_full_of_events_the_socket_is_closed_with_1013(queue_server):
    before = counted()

    def script(connection):
        for name in ("m1", "m2", "m3", "m4"):  # m4 overflows
            connection.send(event(name))
        connection.send(event("m5"))  # closing: ignored

    async with websockets.connect(await queue_server(script)) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            got = await socket.recv()
            pytest.fail(f"received {got!r} before the close")
    # Queued events are discarded: the client must resume from its last seq.
    assert closed.value.rcvd.code == 1013
    assert "overflow" in closed.value.rcvd.reason
    # ...and counted: the close, and the overflowing event with the three queued
    assert counted() - before == {"closes_1013": 1, "dropped_overflow": 4}


@pytest.mark.parametrize("text", ["", "x", "é" * 200, "y" * 70_000])
def test_a_frame_written_directly_is_what_websockets_would_write(text):
    from websockets.protocol import OPEN, SERVER, Protocol

    from chinwag.realtime.connection import framed

    protocol = Protocol(SERVER, state=OPEN)
    protocol.send_text(text.encode())
    assert framed(text) == b"".join(protocol.data_to_send())

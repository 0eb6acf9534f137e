"""A Socket.IO client that stops reading gets the /ws policy: its own bounded queue, typing
dropped first, then the session is ended (an `error` naming try_again, then a disconnect)
and must resume; everyone else is served meanwhile. The stuck client is Engine.IO spoken by
hand over a bare socket (a real client would keep reading)."""

from __future__ import annotations

import json

import pytest

from tests.realtime.helpers import OP_TEXT, RawSocket, close_code, flood, new_group

QUEUE = 8
BIG = 100_000
FLOOD = 24  # past two small kernel buffers and QUEUE, whatever the timing (test_slow_reader)


@pytest.fixture
def settings_overrides():
    return {"ws_send_queue": QUEUE, "message_max_chars": BIG}


@pytest.fixture
def server_options():
    return {"send_buffer": 16 * 1024}


async def open_engine_io(live, token: str) -> RawSocket:
    """Engine.IO's open, Socket.IO's connect to "/", then `ready`."""
    raw = await RawSocket.open(
        live.url, token, receive_buffer=4096, path="/socket.io/?EIO=4&transport=websocket"
    )
    opcode, opened = await raw.read_frame()
    assert (opcode, opened[:1]) == (OP_TEXT, b"0"), opened
    await raw.send_frame(OP_TEXT, b"40")
    _, connect = await raw.read_frame()
    assert connect.startswith(b"40{"), connect
    _, ready = await raw.read_frame()
    assert ready.startswith(b'42["ready",'), ready[:40]
    return raw


def events_in(frames) -> list[dict]:
    return [json.loads(p[2:])[1] for op, p in frames if op == OP_TEXT and p.startswith(b'42["')]


async def test_a_stuck_socketio_reader_is_ended_with_try_again_and_delays_no_one(
    people, http, live, connect
):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob, cyd)
    phone = await open_engine_io(live, ana.access_token)
    laptop, cyd_socket = await connect(ana), await connect(cyd)
    await flood(http, bob, chat["id"], (laptop, cyd_socket), FLOOD, BIG)
    frames = await phone.frames_until_close(timeout=10)  # it reads again: what was kept?
    phone.close()
    events = events_in(frames)
    seqs = [e["message"]["seq"] for e in events if e["type"] == "message.new"]
    # A prefix, then the gap it must fetch on resume: never a message after a lost one.
    assert 0 < len(seqs) < FLOOD
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    closing = events[-1]
    assert (closing["type"], closing["code"], closing["close_code"]) == ("error", "try_again", 1013)
    # then the WebSocket's close, with the code /ws would give
    assert close_code(frames[-1][1]) == 1013
    assert ana.id in live.ctx.hub.connections  # the laptop, still served
    assert len(live.ctx.hub.connections[ana.id]) == 1

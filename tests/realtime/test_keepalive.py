"""Server pings: a client that never answers them is closed; one that answers stays."""

from __future__ import annotations

import json

import pytest

from tests.realtime.helpers import OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, RawSocket, close_code


@pytest.fixture
def settings_overrides():
    return {"ws_ping_interval": 0.5, "ws_ping_timeout": 0.5}


async def test_a_client_that_never_answers_pings_is_closed(people, live, server_log):
    [ana] = await people("ana")
    socket = await RawSocket.open(live.url, ana.access_token)
    try:
        frames = await socket.frames_until_eof(timeout=15)
    finally:
        socket.close()
    opcodes = [opcode for opcode, _ in frames]
    assert opcodes[0] == OP_TEXT and json.loads(frames[0][1])["type"] == "ready"
    assert OP_PING in opcodes
    opcode, payload = frames[-1]
    assert opcode == OP_CLOSE and close_code(payload) == 1011
    # The server forgets the socket (and so ana goes offline).
    await server_log.wait_for("ws_close", user_id=ana.id)
    assert ana.id not in live.ctx.hub.connections


async def test_a_client_that_answers_pings_stays_open(people, live):
    [ana] = await people("ana")
    socket = await RawSocket.open(live.url, ana.access_token)
    try:
        # On a slow machine the first ping can come before `ready`: answer it like the rest.
        pings = 0
        while (frame := await socket.read_frame())[0] == OP_PING:
            pings += 1
            await socket.send_frame(OP_PONG, frame[1])
        assert frame[0] == OP_TEXT and json.loads(frame[1])["type"] == "ready"
        while pings < 3:  # three timeouts' worth
            opcode, payload = await socket.read_frame()
            assert opcode == OP_PING
            pings += 1
            await socket.send_frame(OP_PONG, payload)
        await socket.send_event({"type": "ping"})
        while (frame := await socket.read_frame())[0] == OP_PING:
            await socket.send_frame(OP_PONG, frame[1])
        assert frame == (OP_TEXT, b'{"type":"pong"}')
    finally:
        socket.close()

"""The limits of /ws over Socket.IO: frame rate, send rate, frame size, revocation, socket
caps. Where /ws closes with a code, a Socket.IO session gets an `error` event naming it (and
`close_code`), then the server's disconnect."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import call, history, new_group
from tests.realtime.socketio.conftest import connected, refusal

LIMITS = {
    "ws_max_frame_bytes": 1024,
    "ws_frames_per_second": 0.01,
    "ws_frames_burst": 3,
    "ws_flood_after": 3,
    "ws_sockets_per_user": 2,
}


@pytest.fixture
def settings_overrides():
    return LIMITS


@pytest.fixture
async def team(people, http):
    ana, bob = await people("ana", "bob")
    return ana, bob, await new_group(http, ana, bob)


async def server_disconnect(client) -> None:
    line = await client.wait_for(lambda s: s["kind"] == "disconnect")
    assert line["reason"] == "io server disconnect", client.seen


async def test_past_the_frame_rate_a_refusal_then_flooding_ends_the_session(node, team):
    ana, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    for _ in range(3):  # the burst
        await ana_io.emit("ping")
    answer = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "x", "client_id": "r"}
    )
    assert answer["error"]["code"] == "rate_limited"
    assert (await ana_io.event("error", client_id="r"))["code"] == "rate_limited"
    assert len(ana_io.events("pong")) == 3
    for _ in range(3):
        await ana_io.emit("ping")
    closing = await ana_io.event("error", code="policy_violation")
    assert closing["close_code"] == 1008
    await server_disconnect(ana_io)


@pytest.mark.parametrize(
    "settings_overrides", [{"ws_rate_per_second": 0.01, "ws_rate_burst": 1, "ws_flood_after": 50}]
)
async def test_past_the_send_rate_a_send_is_refused_through_its_callback(node, team, http):
    ana, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    first = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "1", "client_id": "a"}
    )
    assert first["message"]["text"] == "1"
    second = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "2", "client_id": "b"}
    )
    assert second["error"]["code"] == "rate_limited"
    assert [m["text"] for m in await history(http, ana, chat["id"])][-1] == "1"


async def test_an_event_over_the_frame_limit_ends_the_session_and_stores_nothing(node, team, http):
    ana, bob, chat = team
    before = await history(http, ana, chat["id"])
    ana_io, bob_io = (
        await node(auth={"token": ana.access_token}),
        await node(auth={"token": bob.access_token}),
    )
    await connected(ana_io), await connected(bob_io)
    await ana_io.emit(
        "message.send", {"chat_id": chat["id"], "text": "é" * 600, "client_id": "big"}
    )
    closing = await ana_io.event("error", code="frame_too_big")
    assert closing["close_code"] == 1009
    await server_disconnect(ana_io)
    assert await history(http, ana, chat["id"]) == before
    assert bob_io.events("message.new") == []


async def test_an_event_far_over_the_limit_is_dropped_with_its_socket(node, team, http):
    ana, bob, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    await ana_io.emit("message.send", {"chat_id": chat["id"], "text": "x" * 5000, "client_id": "h"})
    await ana_io.wait_for(lambda s: s["kind"] == "disconnect")
    assert ana_io.events("ack") == []
    # the server goes on serving
    await connected(await node(auth={"token": bob.access_token}))


async def test_binary_events_are_refused(pyclient, team):
    ana, _, chat = team
    client = await pyclient(auth={"token": ana.access_token})
    await client.event("ready")
    await client.sio.emit("typing", {"chat_id": chat["id"], "blob": b"\x00\x01"})
    assert (await client.event("error"))["code"] == "invalid_frame"


async def test_logging_out_ends_the_session(node, team, http):
    ana, _, _ = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    await call(http, ana, "POST", "/api/auth/logout", 204)
    closing = await ana_io.event("error", code="policy_violation")
    assert closing["message"] == "session ended"
    await server_disconnect(ana_io)
    again = await node(auth={"token": ana.access_token})
    assert (await refusal(again))["error"]["code"] == "invalid_token"


async def test_sockets_per_account_count_both_transports(node, team, connect, live):
    ana, _, _ = team
    await connect(ana)  # one on /ws
    await connected(await node(auth={"token": ana.access_token}))
    third = await node(auth={"token": ana.access_token})
    assert (await refusal(third))["error"]["code"] == "too_many_sockets"
    assert live.ctx.hub.user_sockets[ana.id] == 2


async def test_a_server_stopping_ends_the_session(node_driver, settings):
    # uvicorn closes every WebSocket (1012) before the app hears of the shutdown: a Socket.IO
    # client sees its transport close, and reconnects (to another process) and resumes.
    import asyncio
    import json
    import subprocess

    import httpx

    from tests.conftest import sign_up
    from tests.realtime.conftest import start_server, stop_server
    from tests.realtime.socketio.conftest import NODE, NodeClient

    server, task, live = await start_server(settings)
    client = None
    try:
        async with httpx.AsyncClient(base_url=live.url) as http:
            ana = await sign_up(http, "ana")
        process = await asyncio.create_subprocess_exec(
            NODE,
            str(node_driver),
            live.url,
            json.dumps({"auth": {"token": ana.access_token}, "transports": ["websocket"]}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        client = NodeClient(process)
        await connected(client)
    finally:
        await stop_server(server, task)
    try:
        line = await client.wait_for(lambda s: s["kind"] == "disconnect")
        assert line["reason"] == "transport close"
    finally:
        await client.close()

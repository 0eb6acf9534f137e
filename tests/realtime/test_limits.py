"""Limits on what one socket may send: the frame size (1009, nothing stored), the per-user
send rate (an `error` per refused send; others unaffected) and flooding (1008)."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest
import websockets

from tests.realtime.helpers import barrier, events_of, history, new_group, of_type

# Practically no refill during a test: the burst is all a user gets.
RATE = {"ws_rate_per_second": 0.001, "ws_rate_burst": 3, "ws_flood_after": 100}


@pytest.fixture
def settings_overrides():
    return {"ws_max_frame_bytes": 1024, **RATE}


@pytest.fixture
async def team(people, http):
    ana, bob = await people("ana", "bob")
    return ana, bob, await new_group(http, ana, bob)


def send_frame(chat_id: int, text: str, client_id: str | None = None) -> dict:
    return {
        "type": "message.send",
        "chat_id": chat_id,
        "text": text,
        "client_id": client_id or uuid.uuid4().hex,
    }


async def replies(client, client_ids: list[str]) -> dict[str, dict]:
    """The ack or error answering each send, by client_id."""
    found = {}
    for client_id in client_ids:
        found[client_id] = await client.wait_for(
            lambda e, c=client_id: e["type"] in ("ack", "error") and e.get("client_id") == c
        )
    return found


# -- frame size -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "server_options",
    [{"ws_max_size": 1024}, {}],
    ids=["uvicorn-enforces", "gateway-enforces"],
)
async def test_frame_over_the_limit_closes_1009_and_stores_nothing(
    team, connect, http, server_options
):
    ana, bob, chat = team
    before = await history(http, ana, chat["id"])
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    # Under the message limit (4000 characters), over the frame limit (1024 bytes).
    await ana_socket.frame(send_frame(chat["id"], "é" * 600, "too-big"))
    assert await ana_socket.wait_closed() == 1009
    assert await history(http, ana, chat["id"]) == before
    await barrier(bob_socket)
    assert events_of(bob_socket, "message.new") == []
    assert not [e for e in ana_socket.events if e.get("client_id") == "too-big"]


async def test_frame_just_under_the_limit_is_accepted(team, connect):
    ana, _, chat = team
    socket = await connect(ana)
    frame = send_frame(chat["id"], "", "fits")
    frame["text"] = "x" * (1024 - len(json.dumps(frame)))
    assert len(json.dumps(frame).encode()) == 1024
    await socket.frame(frame)
    ack = await socket.wait_for(of_type("ack", client_id="fits"))
    assert ack["message"]["text"] == frame["text"]


# -- send rate --------------------------------------------------------------------------


async def test_sends_over_the_rate_get_rate_limited_and_are_not_stored(team, connect, http):
    ana, bob, chat = team
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    ids = [f"s{i}" for i in range(6)]
    for client_id in ids:  # all at once: the refusals don't depend on timing
        await ana_socket.frame(send_frame(chat["id"], client_id, client_id))
    answers = await replies(ana_socket, ids)
    assert [answers[c]["type"] for c in ids] == ["ack"] * 3 + ["error"] * 3
    for client_id in ids[3:]:
        error = answers[client_id]
        assert error["code"] == "rate_limited" and error["client_id"] == client_id
        assert error["message"]
    stored = [m["client_id"] for m in await history(http, ana, chat["id"])]
    assert [c for c in stored if c] == ids[:3]
    # The socket stays open, and other users are not limited by ana's sends.
    await barrier(ana_socket)
    message = await bob_socket.send(chat["id"], "bob is not limited")
    for device in (ana_socket, bob_socket):
        await device.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
        )
    assert len(events_of(bob_socket, "message.new")) == 4


async def test_the_limit_is_per_user_across_sockets_and_reconnects(team, connect, live):
    ana, bob, chat = team
    phone, laptop = await connect(ana), await connect(ana)
    await phone.send(chat["id"], "one")
    await laptop.send(chat["id"], "two")
    await phone.disconnect()
    tablet = await connect(ana)
    await tablet.send(chat["id"], "three")
    for device in (laptop, tablet):
        await device.frame(send_frame(chat["id"], "over", f"over-{id(device)}"))
        refused = await device.wait_for(of_type("error", client_id=f"over-{id(device)}"))
        assert refused["code"] == "rate_limited"
    await laptop.disconnect()
    await tablet.disconnect()
    again = await connect(ana)  # every socket closed: the budget is still spent
    await again.frame(send_frame(chat["id"], "still over", "after-reconnect"))
    refused = await again.wait_for(of_type("error", client_id="after-reconnect"))
    assert refused["code"] == "rate_limited"
    bob_socket = await connect(bob)
    assert (await bob_socket.send(chat["id"], "fine"))["text"] == "fine"


# -- flooding ---------------------------------------------------------------------------


def closes_1008() -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("chinwag_websocket_closes_total", {"code": "1008"})


@pytest.mark.parametrize("settings_overrides", [{**RATE, "ws_rate_burst": 1, "ws_flood_after": 3}])
async def test_flooding_closes_the_socket_with_1008(team, connect):
    ana, bob, chat = team
    flooder, other_device, bob_socket = await connect(ana), await connect(ana), await connect(bob)
    closed_before = closes_1008()
    await flooder.send(chat["id"], "the only allowed one")
    with contextlib.suppress(websockets.ConnectionClosed):
        for i in range(20):
            await flooder.frame(send_frame(chat["id"], f"flood {i}"))
    assert await flooder.wait_closed() == 1008
    assert closes_1008() == closed_before + 1  # counted for the operator
    # Refusals before the close are rate_limited errors (those still queued are discarded).
    assert {e["code"] for e in events_of(flooder, "error")} <= {"rate_limited"}
    # Only the flooding socket is closed; the user's other device and others carry on.
    await barrier(other_device)
    message = await bob_socket.send(chat["id"], "still here")
    await other_device.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
    )


# -- one send limit over every transport -------------------------------------------------


async def test_rest_and_socket_sends_share_one_limit(team, connect, http):
    ana, _, chat = team
    path = f"/api/chats/{chat['id']}/messages"
    for i in range(2):
        response = await http.post(path, json={"text": f"rest {i}"}, headers=ana.headers)
        assert response.status_code == 201
    socket = await connect(ana)
    await socket.send(chat["id"], "the last one of the burst")
    await socket.frame(send_frame(chat["id"], "over", "ws-over"))
    assert (await socket.wait_for(of_type("error", client_id="ws-over")))["code"] == "rate_limited"
    refused = await http.post(path, json={"text": "rest over"}, headers=ana.headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    texts = [m["text"] for m in await history(http, ana, chat["id"])]
    assert "over" not in texts and "rest over" not in texts


# -- frames of any kind -------------------------------------------------------------------

FRAMES = {"ws_frames_per_second": 0.001, "ws_frames_burst": 5}


@pytest.mark.parametrize("settings_overrides", [{**RATE, **FRAMES, "ws_flood_after": 100}])
async def test_frames_past_the_budget_get_rate_limited(team, connect):
    ana, _, chat = team
    socket = await connect(ana)
    for _ in range(5):
        await socket.frame({"type": "ping"})
    await socket.frame({"type": "read", "chat_id": chat["id"], "seq": 1})
    await socket.frame(send_frame(chat["id"], "over the frame budget", "frame-over"))
    refused = await socket.wait_for(of_type("error", client_id="frame-over"))
    assert refused["code"] == "rate_limited"
    assert len(events_of(socket, "pong")) == 5
    errors = events_of(socket, "error")
    assert [e["code"] for e in errors] == ["rate_limited", "rate_limited"]
    assert errors[0].get("client_id") is None  # the read, refused unread


@pytest.mark.parametrize("settings_overrides", [{**RATE, **FRAMES, "ws_flood_after": 3}])
async def test_a_frame_flood_closes_the_socket_with_1008(team, connect):
    ana, _, _ = team
    flooder, other_device = await connect(ana), await connect(ana)
    with contextlib.suppress(websockets.ConnectionClosed):
        for _ in range(20):
            await flooder.frame({"type": "ping"})
    assert await flooder.wait_closed() == 1008
    await other_device.frame({"type": "ping"})  # a budget per socket: the other is fine
    await other_device.wait_for(of_type("pong"))

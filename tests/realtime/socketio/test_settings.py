"""CHINWAG_SOCKETIO turns the transport off; CHINWAG_SOCKETIO_POLLING lets long-polling in."""

from __future__ import annotations

import pytest

from tests.realtime.socketio.conftest import connected


@pytest.fixture
async def ana(people):
    return (await people("ana"))[0]


@pytest.mark.parametrize("settings_overrides", [{"socketio": False}])
async def test_off_it_is_not_served(http, ana, connect):
    response = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert response.status_code == 404
    assert (await connect(ana)).ready["user"]["id"] == ana.id  # /ws goes on


async def test_long_polling_is_refused_by_default(http, node, ana):
    response = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert response.status_code == 400
    client = await node(auth={"token": ana.access_token}, transports=["polling"])
    line = await client.wait_for(lambda s: s["kind"] in ("connect", "connect_error"))
    assert line["kind"] == "connect_error"
    assert client.events("ready") == []


# Short pings: a pending long-poll holds the server's shutdown until it times out.
@pytest.mark.parametrize(
    "settings_overrides",
    [{"socketio_polling": True, "ws_ping_interval": 1, "ws_ping_timeout": 1}],
)
async def test_long_polling_when_enabled(node, ana, people, http):
    from tests.realtime.helpers import new_group

    chat = await new_group(http, ana)
    client = await node(auth={"token": ana.access_token}, transports=["polling"])
    await connected(client)
    answer = await client.call(
        "message.send", {"chat_id": chat["id"], "text": "polled", "client_id": "p"}
    )
    assert answer["message"]["text"] == "polled"
    assert (await client.event("message.new"))["message"]["id"] == answer["message"]["id"]
    # socket.io-client's default: polling first, then the upgrade to WebSocket
    upgrading = await node(auth={"token": ana.access_token}, transports=["polling", "websocket"])
    assert (await connected(upgrading))["user"]["id"] == ana.id
    await upgrading.emit("ping")
    await upgrading.event("pong")

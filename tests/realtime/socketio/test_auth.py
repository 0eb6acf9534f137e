"""Opening a Socket.IO session: the token in each of its places, refusals as connect_error
with chinwag's error shape (never a hang), the Origin allowlist, tokens kept out of logs."""

from __future__ import annotations

import logging

import pytest
import socketio

from chinwag.accounts.security import create_access_token
from tests.realtime.socketio.conftest import connected, refusal

EVIL = "https://evil.example.com"


@pytest.fixture
async def ana(people):
    return (await people("ana"))[0]


@pytest.mark.parametrize(
    "place",
    [
        lambda token: {"auth": {"token": token}},
        lambda token: {"extraHeaders": {"Authorization": f"Bearer {token}"}},
        lambda token: {"query": {"token": token}},
    ],
    ids=["auth", "bearer-header", "query"],
)
async def test_the_token_in_each_place_opens_a_session_with_ready_first(node, ana, place):
    client = await node(**place(ana.access_token))
    ready = await connected(client)
    assert ready["type"] == "ready"
    assert ready["user"]["id"] == ana.id
    assert client.seen[0]["kind"] == "connect"  # nothing before the connect's answer


async def test_auth_is_preferred_to_the_query(node, ana):
    client = await node(auth={"token": ana.access_token}, query={"token": "not-a-token"})
    assert (await connected(client))["user"]["id"] == ana.id


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({}, "unauthorized"),
        ({"auth": {"token": "not-a-token"}}, "invalid_token"),
        ({"auth": {"token": 42}}, "unauthorized"),
        ({"query": {"token": "not-a-token"}}, "invalid_token"),
    ],
    ids=["none", "bad", "not-a-string", "bad-query"],
)
async def test_a_refusal_is_a_connect_error_with_chinwags_error(node, options, code):
    client = await node(**options)
    data = await refusal(client)
    assert data["error"]["code"] == code
    assert data["error"]["message"]
    assert client.events("ready") == []


async def test_an_expired_token_is_refused(node, ana, settings):
    expired = create_access_token(settings.signing_key, ana.id, "no-such-session", minutes=-1)
    data = await refusal(await node(auth={"token": expired}))
    assert data["error"]["code"] == "invalid_token"


async def test_an_origin_outside_the_allowlist_is_refused(node, ana, settings):
    refused = await node(auth={"token": ana.access_token}, extraHeaders={"Origin": EVIL})
    assert (await refusal(refused))["error"]["code"] == "forbidden_origin"
    ours = await node(
        auth={"token": ana.access_token}, extraHeaders={"Origin": settings.public_url}
    )
    assert (await connected(ours))["user"]["id"] == ana.id


@pytest.mark.parametrize("settings_overrides", [{"allowed_origins": ["https://app.example.com"]}])
async def test_allowed_origins_apply(node, ana, settings):
    allowed = await node(
        auth={"token": ana.access_token}, extraHeaders={"Origin": "https://app.example.com"}
    )
    assert (await connected(allowed))["user"]["id"] == ana.id
    default = await node(
        auth={"token": ana.access_token}, extraHeaders={"Origin": settings.public_url}
    )
    assert (await refusal(default))["error"]["code"] == "forbidden_origin"


async def test_python_socketio_is_refused_with_the_same_shape(live):
    from tests.realtime.socketio.conftest import PyClient

    client = PyClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.sio.connect(
            live.url, auth={"token": "not-a-token"}, transports=["websocket"], wait_timeout=10
        )
    assert client.refused["data"]["error"]["code"] == "invalid_token"


async def test_python_socketio_opens_with_a_bearer_header(pyclient, ana):
    client = await pyclient(headers={"Authorization": f"Bearer {ana.access_token}"})
    ready = await client.event("ready")
    assert ready["user"]["id"] == ana.id


async def test_the_token_never_reaches_a_log_record(node, ana, settings, caplog):
    expired = create_access_token(settings.signing_key, ana.id, "no-such-session", minutes=-1)
    with (
        caplog.at_level(logging.DEBUG, logger="uvicorn.error"),
        caplog.at_level(logging.DEBUG, logger="chinwag"),
    ):
        opened = await node(query={"token": ana.access_token})
        await connected(opened)
        await refusal(await node(query={"token": expired}))
        await connected(await node(auth={"token": ana.access_token}))
    lines = [f"{r.name} {r.getMessage()} {vars(r)}" for r in caplog.records]
    assert any("/socket.io/?" in line and "token=[redacted]" in line for line in lines), lines
    secrets = (ana.access_token, expired, ana.access_token.rsplit(".", 1)[1])
    assert [line for line in lines if any(s in line for s in secrets)] == []

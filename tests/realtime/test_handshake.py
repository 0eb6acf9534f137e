"""The /ws handshake: who is let in. A refusal happens before accept (HTTP 403, never an
event); the token may come as ?token= or as an Authorization header, and never reaches a log."""

from __future__ import annotations

import logging

import pytest
import websockets
from sqlalchemy import update
from websockets.exceptions import InvalidStatus

from chinwag.accounts.models import User
from chinwag.accounts.security import create_access_token
from tests.realtime.helpers import barrier, call, events_of, new_group

EVIL = "https://evil.example"


def ws_url(live, token: str | None = None) -> str:
    url = live.url.replace("http", "ws", 1) + "/ws"
    return url if token is None else f"{url}?token={token}"


def session_id(person) -> str:
    return person.refresh_token.partition(".")[0]


@pytest.fixture
async def pair(people, http, connect):
    """ana, and bob who shares a group with her and is online: he would hear of her socket."""
    ana, bob = await people("ana", "bob")
    await new_group(http, ana, bob)
    return ana, bob, await connect(bob)


async def refusal(live, ana, http, settings, case: str) -> dict:
    """websockets.connect() arguments for each way of being refused."""
    if case == "no token":
        return {"uri": ws_url(live)}
    if case == "garbage token":
        return {"uri": ws_url(live, "not-a-token")}
    if case == "expired token":
        token = create_access_token(settings.signing_key, ana.id, session_id(ana), minutes=-1)
        return {"uri": ws_url(live, token)}
    if case == "token signed with another key":
        token = create_access_token("another-key-" * 4, ana.id, session_id(ana), minutes=5)
        return {"uri": ws_url(live, token)}
    if case == "logged-out session":
        await call(http, ana, "POST", "/api/auth/logout", 204)
        return {"uri": ws_url(live, ana.access_token)}
    if case == "logged-out session, header":
        await call(http, ana, "POST", "/api/auth/logout", 204)
        return {"uri": ws_url(live), "additional_headers": ana.headers}
    if case == "deactivated account":
        deactivate = update(User).where(User.id == ana.id).values(is_active=False)
        await live.ctx.db.write(lambda db: db.execute(deactivate))
        return {"uri": ws_url(live, ana.access_token)}
    if case == "foreign origin":
        return {"uri": ws_url(live, ana.access_token), "origin": EVIL}
    if case == "null origin":
        return {"uri": ws_url(live), "additional_headers": ana.headers, "origin": "null"}
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "garbage token",
        "expired token",
        "token signed with another key",
        "logged-out session",
        "logged-out session, header",
        "deactivated account",
        "foreign origin",
        "null origin",
    ],
)
async def test_refused_before_accept_with_403(pair, live, http, settings, case):
    ana, bob, bob_socket = pair
    arguments = await refusal(live, ana, http, settings, case)
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(**arguments) as socket:
            pytest.fail(f"accepted, first frame: {await socket.recv()}")
    assert refused.value.response.status_code == 403
    assert b"ready" not in (refused.value.response.body or b"")
    assert ana.id not in live.ctx.hub.connections
    await barrier(bob_socket)  # presence of ana would have been queued before the pong
    assert events_of(bob_socket, "presence") == []


async def test_expired_token_is_refused_while_a_fresh_one_of_the_same_session_is_not(
    pair, live, settings
):
    ana = pair[0]
    expired = create_access_token(settings.signing_key, ana.id, session_id(ana), minutes=-1)
    fresh = create_access_token(settings.signing_key, ana.id, session_id(ana), minutes=5)
    with pytest.raises(InvalidStatus):
        await websockets.connect(ws_url(live, expired))
    async with websockets.connect(ws_url(live, fresh)) as socket:
        assert '"type":"ready"' in await socket.recv()


async def test_token_in_the_query_string_is_accepted(pair, live):
    ana = pair[0]
    async with websockets.connect(ws_url(live, ana.access_token)) as socket:
        first = await socket.recv()
    assert f'"id":{ana.id},' in first and first.startswith('{"type":"ready"')


async def test_authorization_header_is_accepted(pair, connect):
    ana, bob = pair[0], pair[1]
    client = await connect(ana)  # ChinwagClient authenticates with the header only
    assert client.ready["type"] == "ready" and client.ready["user"]["id"] == ana.id
    assert await pair[2].wait_for(lambda e: e["type"] == "presence" and e["user_id"] == ana.id)
    assert bob.id in client.ready["online"]


async def test_our_own_origin_is_accepted(pair, connect, settings):
    ana = pair[0]
    client = await connect(ana, origin=settings.public_url)
    assert client.ready["user"]["id"] == ana.id


@pytest.mark.parametrize(
    "settings_overrides",
    [{"allowed_origins": ["https://chat.example.com", "https://app.example.com/"]}],
)
async def test_allowed_origins_replace_the_default(pair, live, connect, settings):
    ana = pair[0]
    for origin in ("https://chat.example.com", "https://APP.example.com"):
        client = await connect(ana, origin=origin)
        assert client.ready["user"]["id"] == ana.id
    for origin in (settings.public_url, EVIL):
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(ws_url(live), additional_headers=ana.headers, origin=origin)
        assert refused.value.response.status_code == 403


async def test_the_token_never_reaches_a_log_record(pair, live, settings, caplog):
    ana = pair[0]
    expired = create_access_token(settings.signing_key, ana.id, session_id(ana), minutes=-1)
    with (
        caplog.at_level(logging.DEBUG, logger="uvicorn.error"),
        caplog.at_level(logging.DEBUG, logger="chinwag"),
    ):
        async with websockets.connect(ws_url(live, ana.access_token)) as socket:
            await socket.recv()
        with pytest.raises(InvalidStatus):
            await websockets.connect(ws_url(live, expired))
        async with websockets.connect(ws_url(live), additional_headers=ana.headers) as socket:
            await socket.recv()
    # caplog's handler comes after chinwag's own (which redacts): these are the lines written.
    lines = [f"{r.name} {r.getMessage()} {vars(r)}" for r in caplog.records]
    assert any("/ws?token=[redacted]" in line for line in lines), "the handshake went unlogged"
    leaks = [
        line
        for line in lines
        if ana.access_token in line or expired in line or ana.access_token.rsplit(".", 1)[1] in line
    ]
    assert leaks == []

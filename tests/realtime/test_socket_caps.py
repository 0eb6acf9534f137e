"""Sockets per account and per client address are capped (on each process): the next one is
refused before accept with 429 `too_many_sockets`; closing one frees its place."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from chinwag.client import ChinwagClient

PER_USER, PER_ADDRESS = 3, 5


@pytest.fixture
def settings_overrides():
    return {"ws_sockets_per_user": PER_USER, "ws_sockets_per_address": PER_ADDRESS}


def ws_url(live) -> str:
    return live.url.replace("http", "ws", 1) + "/ws"


async def refusal(live, person) -> tuple[int, dict]:
    """The HTTP status and error body of a refused socket (fails if it opens)."""
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(ws_url(live), additional_headers=person.headers):
            pass
    response = refused.value.response
    return response.status_code, json.loads(response.body), response.headers


async def test_an_account_gets_a_bounded_number_of_sockets(people, connect, live, server_log):
    [ana] = await people("ana")
    sockets = [await connect(ana) for _ in range(PER_USER)]
    status, body, headers = await refusal(live, ana)
    assert status == 429 and body["error"]["code"] == "too_many_sockets"
    assert "per account" in body["error"]["message"]
    assert int(headers["Retry-After"]) >= 1
    await sockets[0].close()  # frees its place
    await server_log.wait_for("ws_close", user_id=ana.id)
    assert (await connect(ana)).ready["user"]["id"] == ana.id


async def test_a_burst_of_opens_cannot_pass_the_cap(people, live):
    [ana] = await people("ana")

    async def open_one():
        try:
            socket = await websockets.connect(ws_url(live), additional_headers=ana.headers)
        except InvalidStatus as refused:
            return refused.response.status_code
        await socket.recv()  # ready
        return socket

    opened = await asyncio.gather(*(open_one() for _ in range(PER_USER * 4)))
    sockets = [s for s in opened if not isinstance(s, int)]
    try:
        assert len(sockets) == PER_USER
        assert sorted(s for s in opened if isinstance(s, int)) == [429] * (PER_USER * 3)
    finally:
        await asyncio.gather(*(s.close() for s in sockets))


async def test_an_address_gets_a_bounded_number_of_sockets(people, connect, live):
    ana, bob = await people("ana", "bob")
    for person, count in ((ana, PER_USER), (bob, PER_ADDRESS - PER_USER)):
        for _ in range(count):
            await connect(person)
    status, body, _ = await refusal(live, bob)  # bob has 2 of his 3: the address is full
    assert status == 429 and "per address" in body["error"]["message"]


@pytest.mark.parametrize(
    "settings_overrides",
    [{"ws_sockets_per_user": PER_USER, "ws_sockets_per_address": 1, "http_rate_limits": False}],
)
async def test_off_lifts_the_address_cap_not_the_account_one(people, connect, live):
    ana, bob = await people("ana", "bob")
    for person in (ana, bob):
        for _ in range(PER_USER):
            await connect(person)
    status, body, _ = await refusal(live, ana)
    assert status == 429 and "per account" in body["error"]["message"]


async def test_the_client_reconnects_with_backoff_once_a_place_is_free(people, connect, live):
    [ana] = await people("ana")
    sockets = [await connect(ana) for _ in range(PER_USER)]
    client = ChinwagClient(live.url, ana.access_token)
    refusals = []

    def on_retry(failures: int, delay: float, error: BaseException) -> None:
        refusals.append((failures, delay, error.response.status_code))
        if failures == 1:  # the first refusal seen: free a place
            asyncio.get_running_loop().create_task(sockets[0].close())

    try:
        ready = await asyncio.wait_for(client.reconnect(first_delay=0.05, on_retry=on_retry), 30)
        assert ready["type"] == "ready" and ready["user"]["id"] == ana.id
    finally:
        await client.close()
    assert refusals[0][2] == 429
    assert refusals[0][1] >= 1  # at least the server's Retry-After


async def test_reconnect_gives_up_after_its_attempts(people, connect, live):
    [ana] = await people("ana")
    for _ in range(PER_USER):
        await connect(ana)
    client = ChinwagClient(live.url, ana.access_token)
    delays = []
    try:
        with pytest.raises(InvalidStatus):
            await client.reconnect(
                first_delay=0.01, attempts=1, on_retry=lambda *a: delays.append(a)
            )
    finally:
        await client.close()
    assert delays == []  # one attempt: no wait

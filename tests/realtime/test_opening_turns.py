"""Sockets open a few at a time (CHINWAG_WS_OPENING_AT_ONCE): a storm of handshakes waits its
turn instead of crowding the database's pool, and every way an opening ends (ready, refused,
over the cap) gives its turn back."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from websockets.exceptions import InvalidStatus

AT_ONCE = 2


@pytest.fixture
def settings_overrides():
    return {"ws_opening_at_once": AT_ONCE, "ws_sockets_per_user": 2}


def ws_url(live) -> str:
    return live.url.replace("http", "ws", 1) + "/ws"


async def refused(live, headers=None) -> int:
    with pytest.raises(InvalidStatus) as refusal:
        async with websockets.connect(ws_url(live), additional_headers=headers or {}):
            pass
    return refusal.value.response.status_code


async def test_refused_openings_give_their_turn_back(people, connect, live):
    ana, bob = await people("ana", "bob")
    # More refusals of each kind than there are turns: had one kept its turn, the next
    # socket would wait for ever (wait_for fails the test instead).
    assert [await refused(live) for _ in range(AT_ONCE + 1)] == [403] * (AT_ONCE + 1)
    [await asyncio.wait_for(connect(ana), 10) for _ in range(2)]
    over_cap = [await refused(live, ana.headers) for _ in range(AT_ONCE + 1)]
    assert over_cap == [429] * (AT_ONCE + 1)
    bobs = await asyncio.wait_for(connect(bob), 10)
    assert bobs.ready["user"]["id"] == bob.id


async def test_a_storm_larger_than_the_turns_all_gets_ready(people, connect):
    crowd = await people(*(f"member{i}" for i in range(AT_ONCE * 5)))
    sockets = await asyncio.wait_for(asyncio.gather(*(connect(p) for p in crowd)), 30)
    assert {s.ready["user"]["id"] for s in sockets} == {p.id for p in crowd}

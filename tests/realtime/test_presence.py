"""Presence: online with a user's first socket, offline with their last, told only to people
who share a chat with them; GET /api/users/online and `ready.online` agree."""

from __future__ import annotations

import asyncio

import pytest

from chinwag.realtime import hub as hub_module
from tests.realtime.helpers import barrier, call, events_of, new_group, of_type


@pytest.fixture
async def trio(people, http):
    """ana and bob share a group; cyd shares nothing with them."""
    ana, bob, cyd = await people("ana", "bob", "cyd")
    return ana, bob, cyd, await new_group(http, ana, bob)


def presence_of(client, user_id: int) -> list[str]:
    return [e["status"] for e in events_of(client, "presence", user_id=user_id)]


async def online_ids(http, person) -> set[int]:
    return {u["id"] for u in await call(http, person, "GET", "/api/users/online")}


async def test_online_goes_to_people_who_share_a_chat_only(trio, connect):
    ana, bob, cyd, _ = trio
    bob_s, cyd_s = await connect(bob), await connect(cyd)
    await connect(ana)
    event = await bob_s.wait_for(of_type("presence", user_id=ana.id))
    assert event == {"type": "presence", "user_id": ana.id, "status": "online"}
    await barrier(cyd_s)  # delivered to bob and cyd at once: cyd's would be here by now
    assert events_of(cyd_s, "presence") == []


async def test_a_second_socket_is_not_news_and_offline_waits_for_the_last(
    trio, connect, server_log
):
    ana, bob, _, _ = trio
    bob_s = await connect(bob)
    phone = await connect(ana)
    await bob_s.wait_for(of_type("presence", user_id=ana.id))
    laptop = await connect(ana)
    await barrier(laptop)  # the laptop's opening (and any presence it publishes) is done
    await phone.disconnect()
    await server_log.wait_for("ws_close", user_id=ana.id)  # the phone is cleaned up
    await barrier(bob_s)
    assert presence_of(bob_s, ana.id) == ["online"]
    await laptop.disconnect()
    offline = await bob_s.wait_for(of_type("presence", user_id=ana.id, status="offline"))
    assert offline == {"type": "presence", "user_id": ana.id, "status": "offline"}
    assert presence_of(bob_s, ana.id) == ["online", "offline"]


async def test_offline_goes_to_people_who_share_a_chat_only(trio, connect):
    ana, bob, cyd, _ = trio
    bob_s, cyd_s = await connect(bob), await connect(cyd)
    ana_s = await connect(ana)
    await bob_s.wait_for(of_type("presence", user_id=ana.id, status="online"))
    await ana_s.disconnect()
    await bob_s.wait_for(of_type("presence", user_id=ana.id, status="offline"))
    await barrier(cyd_s)
    assert events_of(cyd_s, "presence") == []


async def test_users_online_lists_who_has_a_socket_open(trio, http, connect, server_log):
    ana, bob, cyd, _ = trio
    assert await online_ids(http, cyd) == set()
    ana_s = await connect(ana)
    await barrier(ana_s)  # ana's opening is complete
    assert await online_ids(http, cyd) == {ana.id}
    bob_s = await connect(bob)
    await ana_s.wait_for(of_type("presence", user_id=bob.id))
    assert await online_ids(http, cyd) == {ana.id, bob.id}
    await bob_s.disconnect()
    await ana_s.wait_for(of_type("presence", user_id=bob.id, status="offline"))
    assert await online_ids(http, cyd) == {ana.id}
    users = await call(http, cyd, "GET", "/api/users/online")
    assert [u["username"] for u in users] == ["ana"] and users[0]["online"] is True


async def test_ready_lists_online_contacts_only(trio, connect):
    ana, bob, cyd, _ = trio
    bob_s, cyd_s = await connect(bob), await connect(cyd)
    for socket in (bob_s, cyd_s):
        await barrier(socket)
    ana_s = await connect(ana)
    assert ana_s.ready["online"] == [bob.id]  # cyd is online, but shares no chat with ana
    assert cyd_s.ready["online"] == []


async def test_a_deleted_group_makes_no_contacts(trio, http, connect):
    ana, bob, _, chat = trio
    await call(http, ana, "DELETE", f"/api/chats/{chat['id']}", 204)
    bob_s = await connect(bob)
    await barrier(bob_s)
    ana_s = await connect(ana)
    await barrier(bob_s)
    assert presence_of(bob_s, ana.id) == []  # no presence across a deleted group...
    assert ana_s.ready["online"] == []  # ... so `ready` must not claim bob either


# -- a burst: frames grow with the people, not with their square ---------------------------


async def test_a_burst_of_arrivals_is_told_in_few_frames_and_ready_stays_exact(
    people, http, connect, monkeypatch
):
    monkeypatch.setattr(hub_module, "PRESENCE_WINDOW", 1.0)  # a burst well inside one window
    bob, ana, *rest = await people(*(f"member{i}" for i in range(11)))
    await new_group(http, bob, ana, *rest)
    bob_s = await connect(bob)
    await connect(ana)  # nothing else going on: told at once, in the protocol's own shape
    first = await bob_s.wait_for(of_type("presence", user_id=ana.id))
    assert first == {"type": "presence", "user_id": ana.id, "status": "online"}
    sockets = await asyncio.gather(*(connect(person) for person in rest))  # within the window

    def told() -> set[int]:
        frames = events_of(bob_s, "presence")[1:]
        return {u for f in frames for u in f.get("user_ids", [f["user_id"]])}

    await bob_s.wait_for(lambda e: told() == {p.id for p in rest})
    frames = events_of(bob_s, "presence")[1:]
    assert len(frames) < len(rest) // 2  # one per window, not one per arrival
    # A burst frame names its first arrival as `user_id` too; one told alone (a slow
    # machine can spread the burst over two windows) has no `user_ids`.
    assert all(f["status"] == "online" for f in frames)
    assert all(f["user_id"] == f.get("user_ids", [f["user_id"]])[0] for f in frames)
    latecomer = await connect(bob)  # `ready` reads presence itself: exact
    assert set(latecomer.ready["online"]) == {ana.id, *(p.id for p in rest)}
    assert sockets

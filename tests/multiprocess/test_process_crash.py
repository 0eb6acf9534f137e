"""A process dies (SIGKILL): its users resume on the other one, and go offline meanwhile."""

import asyncio

import pytest

from tests.multiprocess.helpers import (
    PRESENCE_TTL,
    group,
    live_seqs,
    new_message,
    of_type,
    register,
    rest_send,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_member_of_a_killed_process_resumes_on_the_other(own_pair, devices):
    pair = own_pair
    ana, bob = await register(pair.b, "ana"), await register(pair.b, "bob")
    bob_on_b = await devices(pair.b, bob, connect=False)
    chat = await group(bob_on_b, ana)
    ana_on_a = await devices(pair.a, ana)
    await bob_on_b.connect()
    assert ana.id in bob_on_b.ready["online"]

    for n in range(3):  # live, while both processes are up
        message = await bob_on_b.send(chat["id"], f"live {n}")
        await ana_on_a.wait_for(new_message(id=message["id"]), timeout=5)
    await ana_on_a.send(chat["id"], "ana, before the crash")
    seen_live = live_seqs(ana_on_a, chat["id"])

    await asyncio.to_thread(pair.a.kill)
    assert await ana_on_a.wait_closed(timeout=5) == 1006  # no close frame from a dead process
    away = [await bob_on_b.send(chat["id"], f"while ana is away {n}") for n in range(3)]
    response = await rest_send(pair.b, bob_on_b, chat["id"], "while ana is away, REST")
    assert response.status_code == 201, response.text
    away.append(response.json())

    # Nobody said goodbye for ana: B's sweep declares her offline once A's claim lapses.
    offline = await bob_on_b.wait_for(
        of_type("presence", user_id=ana.id), timeout=PRESENCE_TTL + 10
    )
    assert offline["status"] == "offline"

    # The same device reaches B (as through a load balancer) and resumes there.
    ana_on_b = await devices(pair.b, moved=ana_on_a)
    online = await bob_on_b.wait_for(
        of_type("presence", user_id=ana.id, status="online"), timeout=5
    )
    assert online["user_id"] == ana.id
    last = await bob_on_b.send(chat["id"], "welcome back")
    await ana_on_b.wait_for(new_message(id=last["id"]), timeout=5)

    store = ana_on_b.messages[chat["id"]]
    history = await ana_on_b.history_after(chat["id"], 0)
    assert sorted(store) == list(range(1, history[-1]["seq"] + 1)) == [m["seq"] for m in history]
    assert {s: m["id"] for s, m in store.items()} == {m["seq"]: m["id"] for m in history}
    for message in away:
        assert store[message["seq"]]["text"] == message["text"]
    assert len(seen_live) == len(set(seen_live))
    after = live_seqs(ana_on_b, chat["id"])
    assert after == [last["seq"]]  # only what came after the resume arrived live

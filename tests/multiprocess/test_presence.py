"""Typing and presence cross processes."""

import pytest

from tests.multiprocess.helpers import group, of_type, register

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_presence_and_typing_cross_processes(cluster, devices):
    ana, bob, cyd = [await register(cluster.a, name) for name in ("ana", "bob", "cyd")]
    chat = await group(await devices(cluster.a, ana, connect=False), bob)
    ana_on_a = await devices(cluster.a, ana)
    cyd_on_a = await devices(cluster.a, cyd)  # shares no chat with bob
    assert bob.id not in ana_on_a.ready["online"]

    bob_on_b = await devices(cluster.b, bob)
    online = await ana_on_a.wait_for(of_type("presence", user_id=bob.id), timeout=5)
    assert online["status"] == "online"
    assert ana.id in bob_on_b.ready["online"]  # B knows who is online on A

    await bob_on_b.frame({"type": "typing", "chat_id": chat["id"]})
    typing = await ana_on_a.wait_for(of_type("typing"), timeout=5)
    assert typing == {"type": "typing", "chat_id": chat["id"], "user_id": bob.id}

    await bob_on_b.disconnect()
    offline = await ana_on_a.wait_for(
        of_type("presence", user_id=bob.id, status="offline"), timeout=5
    )
    assert offline == {"type": "presence", "user_id": bob.id, "status": "offline"}

    # A routes each presence event to all its local contacts in one go, so by the time cyd's
    # pong (asked for after ana had both) arrives, any presence meant for her would be ahead.
    await cyd_on_a.frame({"type": "ping"})
    await cyd_on_a.wait_for(of_type("pong"), timeout=5)
    assert not [e for e in cyd_on_a.events if e["type"] in ("presence", "typing")]

    # The shared registry forgot bob: a socket opened on B now lists him no more.
    again = await devices(cluster.b, ana)
    assert bob.id not in again.ready["online"]

"""Messages cross processes: sent on A (socket or REST), seen by members connected to B."""

import pytest

from tests.multiprocess.helpers import group, new_message, register, rest_send

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
async def team(cluster, devices):
    ana, bob, cyd = [await register(cluster.a, name) for name in ("ana", "bob", "cyd")]
    owner = await devices(cluster.a, ana, connect=False)
    chat = await group(owner, bob)
    return ana, bob, cyd, chat


async def test_a_message_sent_on_a_reaches_members_and_other_devices_on_b(cluster, devices, team):
    ana, bob, cyd, chat = team
    ana_on_a = await devices(cluster.a, ana)
    ana_on_b, bob_on_b, cyd_on_b = [await devices(cluster.b, p) for p in (ana, bob, cyd)]

    over_socket = await ana_on_a.send(chat["id"], "over the socket")
    response = await rest_send(cluster.a, ana_on_a, chat["id"], "over REST")
    assert response.status_code == 201, response.text
    over_rest = response.json()

    for message in (over_socket, over_rest):
        for device in (bob_on_b, ana_on_b, ana_on_a):
            event = await device.wait_for(new_message(id=message["id"]), timeout=5)
            assert event["message"]["text"] == message["text"]
            assert event["message"]["chat_id"] == chat["id"]
    assert over_rest["seq"] == over_socket["seq"] + 1

    # And back: bob on B answers, ana's device on A gets it.
    answer = await bob_on_b.send(chat["id"], "heard you")
    for device in (ana_on_a, bob_on_b):
        await device.wait_for(new_message(id=answer["id"]), timeout=5)

    # cyd (not a member, on B) got none of it: her own ping answered after all of it proves
    # nothing of the chat was queued for her.
    await cyd_on_b.frame({"type": "ping"})
    await cyd_on_b.wait_for(lambda e: e["type"] == "pong", timeout=5)
    assert not [e for e in cyd_on_b.events if e["type"] == "message.new"]

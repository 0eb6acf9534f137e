"""Two processes behind Redis, one client on each transport: a message sent over /ws on A
reaches a Socket.IO client on B, and back; presence crosses too."""

import pytest

from chinwag.client import ChinwagClient
from tests.multiprocess.helpers import PASSWORD, group, new_message, of_type, register

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_a_message_crosses_processes_and_transports(cluster, devices):
    ana, bob = [await register(cluster.a, name) for name in ("ana", "bob")]
    ana_on_a = await devices(cluster.a, ana)  # /ws on A
    chat = await group(ana_on_a, bob)
    bob_io = await ChinwagClient.sign_in(
        cluster.b.url, bob.username, PASSWORD, transport="socketio"
    )  # Socket.IO on B
    try:
        await bob_io.connect()
        assert chat["id"] in [c["id"] for c in bob_io.ready["chats"]]
        await ana_on_a.wait_for(of_type("presence", user_id=bob.id, status="online"), timeout=5)

        sent = await ana_on_a.send(chat["id"], "over /ws on A")
        event = await bob_io.wait_for(new_message(id=sent["id"]), timeout=5)
        assert event["message"]["text"] == "over /ws on A"

        answer = await bob_io.send(chat["id"], "over Socket.IO on B")
        await ana_on_a.wait_for(new_message(id=answer["id"]), timeout=5)
        assert answer["seq"] == sent["seq"] + 1

        await bob_io.frame({"type": "typing", "chat_id": chat["id"]})
        await ana_on_a.wait_for(of_type("typing", user_id=bob.id), timeout=5)
    finally:
        await bob_io.close()
    await ana_on_a.wait_for(of_type("presence", user_id=bob.id, status="offline"), timeout=5)

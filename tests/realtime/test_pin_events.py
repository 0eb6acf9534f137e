"""Pins reach every member's open socket; saved items only the saver's own sockets."""

from __future__ import annotations

from tests.realtime.helpers import barrier, call, events_of, new_group, of_type


async def test_pins_reach_members_and_saves_only_the_saver(people, http, connect):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob)
    bob_socket, cyd_socket = await connect(bob), await connect(cyd)
    ana_tabs = [await connect(ana), await connect(ana)]
    message = await call(
        http, ana, "POST", f"/api/chats/{chat['id']}/messages", 201, json={"text": "pin me"}
    )

    await call(http, ana, "PUT", f"/api/messages/{message['id']}/pin", 204)

    event = await bob_socket.wait_for(of_type("message.pinned", message_id=message["id"]))
    assert event["chat_id"] == chat["id"] and event["pinned_by"] == ana.id

    await call(http, ana, "PUT", f"/api/messages/{message['id']}/saved", 204)

    for tab in ana_tabs:  # every tab of the saver follows
        saved = await tab.wait_for(of_type("message.saved", message_id=message["id"]))
        assert saved["chat_id"] == chat["id"]
    await call(http, ana, "DELETE", f"/api/messages/{message['id']}/pin", 204)
    await bob_socket.wait_for(of_type("message.unpinned", message_id=message["id"]))
    await barrier(bob_socket)
    await barrier(cyd_socket)
    assert events_of(bob_socket, "message.saved") == []
    assert events_of(cyd_socket, "message.pinned") == []

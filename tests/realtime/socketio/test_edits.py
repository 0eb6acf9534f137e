"""`message.edit` over Socket.IO: its callback answers the edited message (or the error), and
the edit is in the message's history."""

from __future__ import annotations

from tests.realtime.helpers import call, new_group
from tests.realtime.socketio.conftest import connected


async def test_an_edit_answers_its_callback_and_keeps_the_earlier_version(node, people, http):
    ana, bob = await people("ana", "bob")
    chat = await new_group(http, ana, bob)
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    sent = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "lunch at 12", "client_id": "c-1"}
    )
    message_id = sent["message"]["id"]

    answer = await ana_io.call("message.edit", {"message_id": message_id, "text": "lunch at 1"})

    assert answer["message"]["id"] == message_id and answer["message"]["text"] == "lunch at 1"
    event = await ana_io.event("message.updated")
    assert event["message"] == answer["message"]
    versions = await call(http, bob, "GET", f"/api/messages/{message_id}/edits")
    assert [v["text"] for v in versions] == ["lunch at 1", "lunch at 12"]
    refused = await ana_io.call("message.edit", {"message_id": message_id + 99, "text": "x"})
    assert refused["error"]["code"] == "not_found"
    assert refused["error"]["message_id"] == message_id + 99

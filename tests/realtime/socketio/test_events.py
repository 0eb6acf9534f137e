"""The same protocol over Socket.IO, event for event: every client event, the send's
acknowledgement callback and `ack` event, and the server events a member receives."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import call, new_group
from tests.realtime.socketio.conftest import connected


@pytest.fixture
async def team(people, http):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob)
    return ana, bob, cyd, chat


async def test_a_send_answers_its_callback_and_acks_and_reaches_the_members(node, team):
    ana, bob, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    bob_io = await node(auth={"token": bob.access_token})
    await connected(ana_io), await connected(bob_io)

    answer = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "hello", "client_id": "c-1"}
    )
    assert answer["client_id"] == "c-1"
    message = answer["message"]
    assert message["text"] == "hello" and message["chat_id"] == chat["id"]
    ack = await ana_io.event("ack", client_id="c-1")
    assert ack == {"type": "ack", "client_id": "c-1", "message": message}
    for client in (ana_io, bob_io):
        new = await client.event("message.new")
        assert new["message"]["id"] == message["id"]

    # The same client_id again stores nothing new: the original is acknowledged.
    again = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "hello", "client_id": "c-1"}
    )
    assert again["message"]["id"] == message["id"]


async def test_a_refused_send_answers_its_callback_with_the_error(node, team):
    ana, _, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    answer = await ana_io.call(
        "message.send", {"chat_id": chat["id"] + 100, "text": "x", "client_id": "c-2"}
    )
    assert answer["error"]["code"] == "not_found"
    assert answer["client_id"] == "c-2"
    error = await ana_io.event("error", client_id="c-2")
    assert error["code"] == "not_found"

    invalid = await ana_io.call("message.send", {"chat_id": chat["id"], "client_id": "c-3"})
    assert invalid["error"]["code"] == "validation_error", invalid


async def test_typing_read_and_ping(node, team):
    ana, bob, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    bob_io = await node(auth={"token": bob.access_token})
    await connected(ana_io), await connected(bob_io)

    await ana_io.emit("typing", {"chat_id": chat["id"]})
    typing = await bob_io.event("typing", chat_id=chat["id"])
    assert typing["user_id"] == ana.id

    send = {"chat_id": chat["id"], "text": "hi", "client_id": "b"}
    sent = await bob_io.call("message.send", send)
    await ana_io.emit("read", {"chat_id": chat["id"], "seq": sent["message"]["seq"]})
    for client in (ana_io, bob_io):
        read = await client.event("read", user_id=ana.id)
        assert read["seq"] == sent["message"]["seq"]

    await ana_io.emit("ping")
    assert await ana_io.event("pong") == {"type": "pong"}
    # typing was not sent back to its author
    assert ana_io.events("typing") == []


async def test_bad_events_are_errors_that_keep_the_session(node, team):
    ana, _, cyd, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    await ana_io.emit("dance", {"chat_id": chat["id"]})
    assert (await ana_io.event("error", code="unknown_type"))["message"]
    await ana_io.emit("typing", "not an object")
    await ana_io.event("error", code="validation_error")
    await ana_io.emit("read", {"chat_id": chat["id"], "seq": -1})
    assert len(ana_io.events("error")) >= 2
    # still open: a ping is answered
    await ana_io.emit("ping", {})
    await ana_io.event("pong")

    cyd_io = await node(auth={"token": cyd.access_token})
    await connected(cyd_io)
    await cyd_io.emit("typing", {"chat_id": chat["id"]})
    assert (await cyd_io.event("error", code="not_found"))["type"] == "error"


async def test_rest_changes_reach_socketio_members(node, team, http):
    ana, bob, cyd, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    cyd_io = await node(auth={"token": cyd.access_token})
    await connected(ana_io), await connected(cyd_io)

    await call(
        http, ana, "POST", f"/api/chats/{chat['id']}/members", 201, json={"user_ids": [cyd.id]}
    )
    joined = await ana_io.event("member.joined", user_id=cyd.id)
    assert joined["chat_id"] == chat["id"]
    created = await cyd_io.event("chat.created")
    assert created["chat"]["id"] == chat["id"]

    await call(http, ana, "PATCH", f"/api/chats/{chat['id']}", json={"name": "Renamed"})
    assert (await cyd_io.event("chat.updated"))["chat"]["name"] == "Renamed"

    message = await call(
        http, bob, "POST", f"/api/chats/{chat['id']}/messages", 201, json={"text": "v1"}
    )
    await cyd_io.event("message.new")
    await call(http, bob, "PATCH", f"/api/messages/{message['id']}", json={"text": "v2"})
    assert (await cyd_io.event("message.updated"))["message"]["text"] == "v2"
    await call(http, ana, "PUT", f"/api/messages/{message['id']}/reactions/👍", 204)
    reaction = await cyd_io.event("reaction.added")
    assert reaction["message_id"] == message["id"], reaction
    await call(
        http, bob, "POST", f"/api/chats/{chat['id']}/messages", 201, json={"text": "@cyd look"}
    )
    assert (await cyd_io.event("notification"))["chat_id"] == chat["id"]
    await call(http, bob, "DELETE", f"/api/messages/{message['id']}", 204)
    deleted = await cyd_io.event("message.deleted")
    assert deleted["message_id"] == message["id"]

    await call(http, ana, "DELETE", f"/api/chats/{chat['id']}/members/{cyd.id}", 204)
    left = await ana_io.event("member.left", user_id=cyd.id)
    assert left["chat_id"] == chat["id"]


async def test_presence_between_transports(node, team, connect):
    ana, bob, _, _ = team
    ana_ws = await connect(ana)  # the native socket
    bob_io = await node(auth={"token": bob.access_token})
    ready = await connected(bob_io)
    assert ana.id in ready["online"]
    online = await ana_ws.wait_for(
        lambda e: e["type"] == "presence" and e["user_id"] == bob.id and e["status"] == "online"
    )
    assert online["status"] == "online"
    await bob_io.close()
    await ana_ws.wait_for(
        lambda e: e["type"] == "presence" and e["user_id"] == bob.id and e["status"] == "offline"
    )


async def test_resume_from_ready_last_seq(node, team, http):
    ana, bob, _, chat = team
    first = await node(auth={"token": ana.access_token})
    ready = await connected(first)
    seen = next(c["last_seq"] for c in ready["chats"] if c["id"] == chat["id"])
    await first.close()
    for text in ("while", "away"):
        await call(http, bob, "POST", f"/api/chats/{chat['id']}/messages", 201, json={"text": text})
    again = await connected(await node(auth={"token": ana.access_token}))
    last_seq = next(c["last_seq"] for c in again["chats"] if c["id"] == chat["id"])
    assert last_seq == seen + 2
    gap = await call(http, ana, "GET", f"/api/chats/{chat['id']}/messages", params={"after": seen})
    assert [m["text"] for m in gap] == ["while", "away"]


async def test_chinwag_client_over_socketio(live, team):
    from chinwag.client import ChinwagClient

    ana, bob, _, chat = team
    ana_client = ChinwagClient(live.url, ana.access_token, transport="socketio")
    bob_client = ChinwagClient(live.url, bob.access_token)  # /ws
    try:
        await ana_client.connect(), await bob_client.connect()
        assert ana_client.ready["user"]["id"] == ana.id
        message = await ana_client.send(chat["id"], "from socket.io")
        event = await bob_client.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
        )
        assert event["message"]["text"] == "from socket.io"
        answer = await bob_client.send(chat["id"], "from /ws")
        await ana_client.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == answer["id"]
        )
        assert ana_client.last_seq(chat["id"]) == answer["seq"]
        refused = ChinwagClient(live.url, "not-a-token", transport="socketio")
        with pytest.raises(ConnectionError, match="invalid_token"):
            await refused.connect()
        await refused.close()
    finally:
        await ana_client.close(), await bob_client.close()


async def test_a_muted_members_send_answers_muted_with_its_end(node, team, http):
    ana, bob, _, chat = team
    body = {"user_id": bob.id, "minutes": 5}
    muted = await call(http, ana, "POST", f"/api/chats/{chat['id']}/mutes", json=body)
    bob_io = await node(auth={"token": bob.access_token})
    await connected(bob_io)
    answer = await bob_io.call(
        "message.send", {"chat_id": chat["id"], "text": "x", "client_id": "m-1"}
    )
    assert answer["error"]["code"] == "muted", answer
    assert answer["error"]["until"] == muted["muted_until"].replace("+00:00", "Z")
    error = await bob_io.event("error", client_id="m-1")
    assert error["code"] == "muted" and error["until"] == answer["error"]["until"]


async def test_a_command_answers_its_callback_with_the_result(node, team, http):
    ana, _, _, chat = team
    ana_io = await node(auth={"token": ana.access_token})
    await connected(ana_io)
    before = await call(http, ana, "GET", f"/api/chats/{chat['id']}/messages")

    answer = await ana_io.call(
        "message.send", {"chat_id": chat["id"], "text": "/help", "client_id": "c-h"}
    )

    assert answer["client_id"] == "c-h" and answer["command"] == "help" and answer["ok"]
    result = await ana_io.event("command.result", client_id="c-h")
    assert result["text"] == answer["text"]
    assert await call(http, ana, "GET", f"/api/chats/{chat['id']}/messages") == before

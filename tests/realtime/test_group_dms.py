"""A group direct message over /ws: its creation reaches every member's open socket (and
nobody else's), and its messages, typing and read pointers fan out to all of its people."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import barrier, call, events_of, of_type


@pytest.fixture
async def trio(people, http, connect):
    """ana, bob and cyd with a socket each, dan outside with his; then ana opens the group
    direct message of the three."""
    ana, bob, cyd, dan = await people("ana", "bob", "cyd", "dan")
    sockets = [await connect(p) for p in (ana, bob, cyd, dan)]
    body = {"user_ids": [bob.id, cyd.id]}
    chat = await call(http, ana, "POST", "/api/chats/direct", 201, json=body)
    return (ana, bob, cyd, dan), chat, sockets


def created(chat_id: int):
    return lambda e: e["type"] == "chat.created" and e["chat"]["id"] == chat_id


async def test_every_member_socket_hears_of_the_new_chat(trio):
    (ana, bob, cyd, _), chat, (*members, dan_s) = trio
    names = {}
    for person, device in zip((ana, bob, cyd), members, strict=True):
        event = await device.wait_for(created(chat["id"]))
        assert event["chat"]["kind"] == "group_dm"
        assert {m["id"] for m in event["chat"]["members"]} == {ana.id, bob.id, cyd.id}
        names[person.username] = event["chat"]["name"]
    assert names == {"ana": "bob, cyd", "bob": "ana, cyd", "cyd": "ana, bob"}
    await barrier(dan_s)
    assert events_of(dan_s, "chat.created") == []


async def test_messages_typing_and_reads_reach_all_three(trio):
    (ana, bob, cyd, _), chat, (ana_s, bob_s, cyd_s, dan_s) = trio
    for device in (bob_s, cyd_s):
        await device.wait_for(created(chat["id"]))  # subscribed to the chat from now on
    message = await bob_s.send(chat["id"], "lunch at noon?")
    for device in (ana_s, bob_s, cyd_s):
        event = await device.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
        )
        assert event["message"]["text"] == "lunch at noon?"
    await cyd_s.frame({"type": "typing", "chat_id": chat["id"]})
    for device in (ana_s, bob_s):
        await device.wait_for(of_type("typing", chat_id=chat["id"], user_id=cyd.id))
    await ana_s.frame({"type": "read", "chat_id": chat["id"], "seq": message["seq"]})
    for device in (bob_s, cyd_s):
        await device.wait_for(of_type("read", chat_id=chat["id"], user_id=ana.id))
    await barrier(dan_s)
    assert [e for e in dan_s.events if e.get("chat_id") == chat["id"]] == []
    assert events_of(dan_s, "message.new") == []


async def test_an_outsider_socket_cannot_send_there(trio):
    _, chat, (*_, dan_s) = trio
    await dan_s.frame(
        {"type": "message.send", "chat_id": chat["id"], "text": "let me in", "client_id": "x1"}
    )
    error = await dan_s.wait_for(lambda e: e["type"] == "error" and e.get("client_id") == "x1")
    assert error["code"] == "not_found", error  # a private chat: as if it were not there


async def test_the_ready_frame_lists_it_by_its_people(trio, connect):
    (ana, bob, cyd, dan), chat, _ = trio
    ready = (await connect(cyd)).ready
    [listed] = [c for c in ready["chats"] if c["id"] == chat["id"]]
    assert listed["kind"] == "group_dm" and listed["name"] == "ana, bob"
    ready = (await connect(dan)).ready
    assert chat["id"] not in [c["id"] for c in ready["chats"]]


async def test_socketio_clients_get_it_too(people, http, connect):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    devices = [await connect(p, transport="socketio") for p in (bob, cyd)]
    body = {"user_ids": [bob.id, cyd.id]}
    chat = await call(http, ana, "POST", "/api/chats/direct", 201, json=body)
    for device in devices:
        await device.wait_for(created(chat["id"]))
    message = await devices[0].send(chat["id"], "over socket.io")
    event = await devices[1].wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
    )
    assert event["message"]["sender_id"] == bob.id

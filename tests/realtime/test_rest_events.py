"""Everything the REST API changes is pushed to the open sockets of the people concerned,
and a socket follows its user's memberships without reconnecting."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import barrier, call, events_of, new_group, of_type


@pytest.fixture
async def team(people, http, connect):
    """ana (owner) and bob in "Team", cyd outside; each with a socket open."""
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob)
    sockets = [await connect(p) for p in (ana, bob, cyd)]
    return (ana, bob, cyd), chat, sockets


def message_new(message_id: int):
    return lambda e: e["type"] == "message.new" and e["message"]["id"] == message_id


def texts_in(client, chat_id: int) -> list[str]:
    return [
        e["message"]["text"]
        for e in events_of(client, "message.new")
        if e["message"]["chat_id"] == chat_id
    ]


async def post(http, person, chat_id: int, text: str) -> dict:
    return await call(
        http, person, "POST", f"/api/chats/{chat_id}/messages", 201, json={"text": text}
    )


async def test_rest_send_pushes_message_new(team, http):
    (ana, bob, _), chat, (ana_s, bob_s, cyd_s) = team
    message = await post(http, ana, chat["id"], "over REST")
    for device in (ana_s, bob_s):
        event = await device.wait_for(message_new(message["id"]))
        assert event["message"]["text"] == "over REST" and event["message"]["seq"] == message["seq"]
    await barrier(cyd_s)
    assert events_of(cyd_s, "message.new") == []


async def test_rest_edit_pushes_message_updated(team, http):
    (ana, _, _), chat, (ana_s, bob_s, cyd_s) = team
    message = await post(http, ana, chat["id"], "typo")
    await call(http, ana, "PATCH", f"/api/messages/{message['id']}", json={"text": "fixed"})
    for device in (ana_s, bob_s):
        event = await device.wait_for(of_type("message.updated"))
        assert event["message"]["id"] == message["id"]
        assert event["message"]["text"] == "fixed" and event["message"]["edited_at"]
    await barrier(cyd_s)
    assert events_of(cyd_s, "message.updated") == []


async def test_rest_delete_pushes_message_deleted(team, http):
    (ana, _, _), chat, (ana_s, bob_s, _) = team
    message = await post(http, ana, chat["id"], "oops")
    await call(http, ana, "DELETE", f"/api/messages/{message['id']}", 204)
    for device in (ana_s, bob_s):
        event = await device.wait_for(of_type("message.deleted"))
        assert event == {
            "type": "message.deleted",
            "chat_id": chat["id"],
            "message_id": message["id"],
            "seq": message["seq"],
        }


async def test_rest_read_pushes_read(team, http):
    (ana, bob, _), chat, (ana_s, _, _) = team
    message = await post(http, ana, chat["id"], "read me")
    await call(
        http, bob, "POST", f"/api/chats/{chat['id']}/read", 204, json={"seq": message["seq"]}
    )
    event = await ana_s.wait_for(of_type("read", user_id=bob.id))
    assert event == {
        "type": "read",
        "chat_id": chat["id"],
        "user_id": bob.id,
        "seq": message["seq"],
    }


async def test_creating_a_group_or_a_direct_chat_reaches_open_sockets(team, http):
    (ana, bob, cyd), _, (ana_s, bob_s, cyd_s) = team
    group = await new_group(http, cyd, ana, name="Side")
    direct = await call(http, bob, "POST", "/api/chats/direct", 201, json={"user_id": cyd.id})
    for device, chat in ((cyd_s, group), (ana_s, group), (bob_s, direct), (cyd_s, direct)):
        created = await device.wait_for(
            lambda e, c=chat: e["type"] == "chat.created" and e["chat"]["id"] == c["id"]
        )
        assert created["chat"]["kind"] == chat["kind"]
    # ... and the sockets follow the new chats at once.
    in_group = await post(http, cyd, group["id"], "side talk")
    in_direct = await post(http, cyd, direct["id"], "psst")
    for device, message in (
        (ana_s, in_group),
        (cyd_s, in_group),
        (bob_s, in_direct),
        (cyd_s, in_direct),
    ):
        await device.wait_for(message_new(message["id"]))
    await barrier(bob_s)
    assert "side talk" not in texts_in(bob_s, group["id"])


async def test_join_tells_members_and_the_joiner_follows_the_chat(team, http):
    (ana, bob, cyd), _, (ana_s, bob_s, cyd_s) = team
    lobby = await new_group(http, ana, bob, name="Lobby", is_public=True)
    await call(http, cyd, "POST", f"/api/chats/{lobby['id']}/join")
    for device in (ana_s, bob_s):
        joined = await device.wait_for(of_type("member.joined", chat_id=lobby["id"]))
        assert joined == {
            "type": "member.joined",
            "chat_id": lobby["id"],
            "user_id": cyd.id,
            "role": "member",
        }
    created = await cyd_s.wait_for(of_type("chat.created"))
    assert created["chat"]["id"] == lobby["id"] and created["chat"]["role"] == "member"
    message = await post(http, ana, lobby["id"], "welcome cyd")
    await cyd_s.wait_for(message_new(message["id"]))
    await cyd_s.frame({"type": "typing", "chat_id": lobby["id"]})
    typing = await ana_s.wait_for(of_type("typing", chat_id=lobby["id"]))
    assert typing["user_id"] == cyd.id


async def test_adding_a_member_reaches_their_open_sockets_without_reconnecting(team, http, connect):
    (ana, bob, cyd), chat, (ana_s, bob_s, cyd_s) = team
    cyd_laptop = await connect(cyd)
    await call(
        http, ana, "POST", f"/api/chats/{chat['id']}/members", 201, json={"user_ids": [cyd.id]}
    )
    for device in (cyd_s, cyd_laptop):
        created = await device.wait_for(of_type("chat.created"))
        assert created["chat"]["id"] == chat["id"] and created["chat"]["name"] == "Team"
    for device in (ana_s, bob_s):
        joined = await device.wait_for(of_type("member.joined", user_id=cyd.id))
        assert joined["chat_id"] == chat["id"] and joined["role"] == "member"
    message = await bob_s.send(chat["id"], "hi cyd")
    for device in (cyd_s, cyd_laptop):
        await device.wait_for(message_new(message["id"]))
        order = [
            e["type"]
            for e in device.events
            if e["type"] == "chat.created" or message_new(message["id"])(e)
        ]
        assert order == ["chat.created", "message.new"]
    assert (await cyd_s.send(chat["id"], "thanks"))["chat_id"] == chat["id"]


async def test_leaving_tells_members_and_cuts_the_leaver_off(team, http):
    (ana, bob, cyd), chat, (ana_s, bob_s, _) = team
    await call(http, bob, "POST", f"/api/chats/{chat['id']}/leave", 204)
    for device in (ana_s, bob_s):
        left = await device.wait_for(of_type("member.left"))
        assert left == {
            "type": "member.left",
            "chat_id": chat["id"],
            "user_id": bob.id,
            "role": "member",
        }
    after = await post(http, ana, chat["id"], "bob is gone")
    await ana_s.wait_for(message_new(after["id"]))
    await barrier(bob_s)
    assert "bob is gone" not in texts_in(bob_s, chat["id"])


async def test_a_removed_member_receives_nothing_more_from_the_chat(team, http):
    (ana, bob, cyd), chat, (ana_s, bob_s, _) = team
    direct = await call(http, ana, "POST", "/api/chats/direct", 201, json={"user_id": bob.id})
    await call(http, ana, "DELETE", f"/api/chats/{chat['id']}/members/{bob.id}", 204)
    left = await bob_s.wait_for(of_type("member.left", user_id=bob.id))
    assert left["chat_id"] == chat["id"]
    await ana_s.wait_for(of_type("member.left", user_id=bob.id))
    after = await post(http, ana, chat["id"], "after bob")
    await call(http, ana, "POST", f"/api/chats/{chat['id']}/read", 204, json={"seq": after["seq"]})
    barrier_message = await post(http, ana, direct["id"], "barrier")  # published after those
    await bob_s.wait_for(message_new(barrier_message["id"]))
    after_left = bob_s.events[bob_s.events.index(left) + 1 :]
    assert [
        e for e in after_left if e.get("chat_id", e.get("message", {}).get("chat_id")) == chat["id"]
    ] == []
    await bob_s.frame({"type": "typing", "chat_id": chat["id"]})
    refused = await bob_s.wait_for(of_type("error"))
    assert refused["code"] == "not_found"


async def test_role_change_pushes_member_updated(team, http):
    (ana, bob, _), chat, (ana_s, bob_s, cyd_s) = team
    await call(
        http, ana, "PATCH", f"/api/chats/{chat['id']}/members/{bob.id}", json={"role": "admin"}
    )
    for device in (ana_s, bob_s):
        updated = await device.wait_for(of_type("member.updated"))
        assert updated == {
            "type": "member.updated",
            "chat_id": chat["id"],
            "user_id": bob.id,
            "role": "admin",
        }
    await barrier(cyd_s)
    assert events_of(cyd_s, "member.updated") == []


async def test_rename_pushes_chat_updated(team, http):
    (ana, _, _), chat, (ana_s, bob_s, cyd_s) = team
    await call(http, ana, "PATCH", f"/api/chats/{chat['id']}", json={"name": "Dream Team"})
    for device in (ana_s, bob_s):
        updated = await device.wait_for(of_type("chat.updated"))
        assert updated["chat"]["id"] == chat["id"] and updated["chat"]["name"] == "Dream Team"
    await barrier(cyd_s)
    assert events_of(cyd_s, "chat.updated") == []


async def test_deleting_a_group_pushes_chat_deleted_and_ends_its_traffic(team, http):
    (ana, bob, _), chat, (ana_s, bob_s, cyd_s) = team
    await call(http, ana, "DELETE", f"/api/chats/{chat['id']}", 204)
    for device in (ana_s, bob_s):
        deleted = await device.wait_for(of_type("chat.deleted"))
        assert deleted == {"type": "chat.deleted", "chat_id": chat["id"]}
    await barrier(cyd_s)
    assert events_of(cyd_s, "chat.deleted") == []
    await bob_s.frame({"type": "typing", "chat_id": chat["id"]})
    refused = await bob_s.wait_for(of_type("error"))
    assert refused["code"] == "not_found"
    await barrier(ana_s)
    assert events_of(ana_s, "typing") == []

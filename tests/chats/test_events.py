"""Events: every change to a chat is published after it is stored, on the channels named by
chinwag.realtime.channels: the chat's channel for its members, a user's channel for them."""

from __future__ import annotations

from tests.chats.helpers import history, new_group, roles


async def test_creating_a_group_tells_each_member_with_their_own_view(client, ana, bob, events):
    ana_channel = await events.watch_user(ana.id)
    bob_channel = await events.watch_user(bob.id)
    chat = await new_group(client, ana, bob)
    [to_ana] = events.on(ana_channel)
    [to_bob] = events.on(bob_channel)
    assert to_ana["type"] == to_bob["type"] == "chat.created"
    assert to_ana["chat"]["id"] == to_bob["chat"]["id"] == chat["id"]
    assert to_ana["chat"]["role"] == "owner"
    assert to_bob["chat"]["role"] == "member"


async def test_adding_a_member_publishes_chat_created_member_joined_and_a_message(
    client, ana, bob, events
):
    chat = await new_group(client, ana)
    chat_channel = await events.watch_chat(chat["id"])
    bob_channel = await events.watch_user(bob.id)
    response = await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [bob.id]}
    )
    assert response.status_code == 201, response.text

    [created] = events.on(bob_channel)
    assert created["type"] == "chat.created"
    assert created["chat"]["id"] == chat["id"]
    assert created["chat"]["role"] == "member"
    assert created["chat"]["member_count"] == 2

    assert sorted(events.types(chat_channel)) == ["member.joined", "message.new"]
    [joined] = [e for e in events.on(chat_channel) if e["type"] == "member.joined"]
    assert joined == {
        "type": "member.joined",
        "chat_id": chat["id"],
        "user_id": bob.id,
        "role": "member",
    }
    [new] = [e for e in events.on(chat_channel) if e["type"] == "message.new"]
    assert new["message"]["kind"] == "system"
    assert new["message"]["sender_id"] is None
    assert new["message"]["text"] == "@ana added @bob"


async def test_published_message_is_the_stored_one(client, ana, bob, events):
    chat = await new_group(client, ana)
    channel = await events.watch_chat(chat["id"])
    await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [bob.id]}
    )
    [new] = [e for e in events.on(channel) if e["type"] == "message.new"]
    stored = (await history(client, ana, chat["id"]))[-1]
    assert new["message"]["id"] == stored["id"]
    assert new["message"]["seq"] == stored["seq"]


async def test_adding_someone_already_in_publishes_nothing(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    chat_channel = await events.watch_chat(chat["id"])
    bob_channel = await events.watch_user(bob.id)
    await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [bob.id]}
    )
    assert events.chat_and_user_events() == []
    assert events.on(chat_channel) == events.on(bob_channel) == []


async def test_joining_publishes_member_joined_and_chat_created(client, ana, bob, events):
    chat = await new_group(client, ana, public=True)
    chat_channel = await events.watch_chat(chat["id"])
    bob_channel = await events.watch_user(bob.id)
    await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert events.types(bob_channel) == ["chat.created"]
    assert sorted(events.types(chat_channel)) == ["member.joined", "message.new"]
    [new] = [e for e in events.on(chat_channel) if e["type"] == "message.new"]
    assert new["message"]["text"] == "@bob joined"


async def test_removing_publishes_member_left_and_a_message(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    response = await client.delete(f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers)
    assert response.status_code == 204
    assert sorted(events.types(channel)) == ["member.left", "message.new"]
    [left] = [e for e in events.on(channel) if e["type"] == "member.left"]
    assert left == {
        "type": "member.left",
        "chat_id": chat["id"],
        "user_id": bob.id,
        "role": "member",
    }
    [new] = [e for e in events.on(channel) if e["type"] == "message.new"]
    assert new["message"]["text"] == "@ana removed @bob"


async def test_leaving_publishes_member_left(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.post(f"/api/chats/{chat['id']}/leave", headers=bob.headers)
    [left] = [e for e in events.on(channel) if e["type"] == "member.left"]
    assert left["user_id"] == bob.id


async def test_owner_leaving_publishes_the_heirs_new_role(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.post(f"/api/chats/{chat['id']}/leave", headers=ana.headers)
    left = [e for e in events.on(channel) if e["type"] == "member.left"]
    updated = [e for e in events.on(channel) if e["type"] == "member.updated"]
    assert left == [
        {"type": "member.left", "chat_id": chat["id"], "user_id": ana.id, "role": "owner"}
    ]
    assert updated == [
        {"type": "member.updated", "chat_id": chat["id"], "user_id": bob.id, "role": "owner"}
    ]


async def test_last_member_leaving_publishes_chat_deleted(client, ana, events):
    chat = await new_group(client, ana)
    channel = await events.watch_chat(chat["id"])
    await client.post(f"/api/chats/{chat['id']}/leave", headers=ana.headers)
    assert events.on(channel) == [{"type": "chat.deleted", "chat_id": chat["id"]}]


async def test_role_change_publishes_member_updated(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers, json={"role": "admin"}
    )
    assert events.on(channel) == [
        {"type": "member.updated", "chat_id": chat["id"], "user_id": bob.id, "role": "admin"}
    ]


async def test_unchanged_role_publishes_nothing(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers, json={"role": "member"}
    )
    assert events.on(channel) == []


async def test_handing_over_ownership_publishes_both_changes(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers, json={"role": "owner"}
    )
    changes = {(e["user_id"], e["role"]) for e in events.on(channel)}
    assert events.types(channel) == ["member.updated", "member.updated"]
    assert changes == {(ana.id, "admin"), (bob.id, "owner")}


async def test_rename_publishes_chat_updated_and_a_message(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.patch(
        f"/api/chats/{chat['id']}",
        headers=ana.headers,
        json={"name": "Crew", "description": "All hands"},
    )
    assert sorted(events.types(channel)) == ["chat.updated", "message.new"]
    [updated] = [e for e in events.on(channel) if e["type"] == "chat.updated"]
    assert updated["chat"]["id"] == chat["id"]
    assert updated["chat"]["name"] == "Crew"
    assert updated["chat"]["description"] == "All hands"
    assert updated["chat"]["member_count"] == 2
    # The same payload goes to every member: nothing personal in it.
    assert "role" not in updated["chat"] and "unread" not in updated["chat"]


async def test_delete_publishes_chat_deleted(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert events.on(channel) == [{"type": "chat.deleted", "chat_id": chat["id"]}]


async def test_opening_a_direct_chat_tells_both_people_once(client, ana, bob, events):
    ana_channel = await events.watch_user(ana.id)
    bob_channel = await events.watch_user(bob.id)
    first = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    await client.post("/api/chats/direct", headers=bob.headers, json={"user_id": ana.id})
    [to_ana] = events.on(ana_channel)
    [to_bob] = events.on(bob_channel)
    assert to_ana["type"] == to_bob["type"] == "chat.created"
    assert to_ana["chat"]["id"] == to_bob["chat"]["id"] == first.json()["id"]
    assert to_ana["chat"]["peer"]["id"] == bob.id
    assert to_bob["chat"]["peer"]["id"] == ana.id


async def test_refused_changes_publish_nothing(client, ana, bob, cyd, events):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    await events.watch_user(cyd.id)
    base = f"/api/chats/{chat['id']}"
    await client.patch(base, headers=bob.headers, json={"name": "Mine"})
    await client.post(f"{base}/members", headers=bob.headers, json={"user_ids": [cyd.id]})
    await client.delete(f"{base}/members/{ana.id}", headers=bob.headers)
    await client.patch(f"{base}/members/{bob.id}", headers=bob.headers, json={"role": "owner"})
    await client.delete(base, headers=bob.headers)
    await client.post(
        "/api/chats", headers=ana.headers, json={"name": "x", "member_ids": [cyd.id, 999999]}
    )
    assert events.chat_and_user_events() == []
    assert events.on(channel) == []
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner", bob.id: "member"}


async def test_nothing_is_delivered_on_channels_nobody_watches(client, ana, bob, events):
    chat = await new_group(client, ana, bob)
    await client.patch(f"/api/chats/{chat['id']}", headers=ana.headers, json={"name": "Crew"})
    assert events.chat_and_user_events() == []

"""GET /api/chats: only my chats, latest activity first, with my role, unread count (others'
text messages after my read pointer) and the last message."""

from __future__ import annotations

from tests.chats.helpers import my_chat_ids, new_group, send


async def my_chats(client, person) -> dict[int, dict]:
    response = await client.get("/api/chats", headers=person.headers)
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()}


async def mark_read(client, person, chat_id, seq):
    response = await client.post(
        f"/api/chats/{chat_id}/read", headers=person.headers, json={"seq": seq}
    )
    assert response.status_code == 204, response.text


async def test_nothing_listed_before_any_chat(client, ana):
    assert await my_chat_ids(client, ana) == []


async def test_only_my_chats_are_listed(client, ana, bob, cyd):
    mine = await new_group(client, ana, bob)
    await new_group(client, cyd, name="Not mine")
    await new_group(client, cyd, name="Public, not joined", public=True)
    direct = (
        await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": cyd.id})
    ).json()
    assert set(await my_chat_ids(client, ana)) == {mine["id"], direct["id"]}
    assert await my_chat_ids(client, bob) == [mine["id"]]


async def test_latest_activity_comes_first(client, ana, bob):
    first = await new_group(client, ana, bob, name="First")
    second = await new_group(client, ana, bob, name="Second")
    assert await my_chat_ids(client, ana) == [second["id"], first["id"]]
    await send(client, bob, first["id"], "bump")
    assert await my_chat_ids(client, ana) == [first["id"], second["id"]]


async def test_role_and_member_count_per_chat(client, ana, bob, cyd):
    owned = await new_group(client, ana, bob, cyd)
    joined = await new_group(client, bob, ana)
    chats = await my_chats(client, ana)
    assert (chats[owned["id"]]["role"], chats[owned["id"]]["member_count"]) == ("owner", 3)
    assert (chats[joined["id"]]["role"], chats[joined["id"]]["member_count"]) == ("member", 2)


async def test_unread_counts_others_text_messages_after_my_pointer(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await send(client, bob, chat["id"], "one")
    await send(client, bob, chat["id"], "two")
    assert (await my_chats(client, ana))[chat["id"]]["unread"] == 2
    # Bob's own messages are never unread for him.
    assert (await my_chats(client, bob))[chat["id"]]["unread"] == 0


async def test_system_messages_are_not_unread(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [cyd.id]}
    )
    await client.patch(f"/api/chats/{chat['id']}", headers=ana.headers, json={"name": "New"})
    view = (await my_chats(client, bob))[chat["id"]]
    assert view["last_seq"] > view["last_read_seq"]
    assert view["unread"] == 0


async def test_reading_clears_unread_and_moves_last_read_seq(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await send(client, bob, chat["id"], "one")
    last = await send(client, bob, chat["id"], "two")
    await mark_read(client, ana, chat["id"], last["seq"] - 1)
    view = (await my_chats(client, ana))[chat["id"]]
    assert (view["unread"], view["last_read_seq"]) == (1, last["seq"] - 1)
    await mark_read(client, ana, chat["id"], last["seq"])
    view = (await my_chats(client, ana))[chat["id"]]
    assert (view["unread"], view["last_read_seq"]) == (0, last["seq"])


async def test_sending_marks_earlier_messages_read(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await send(client, bob, chat["id"], "question?")
    await send(client, ana, chat["id"], "answer")
    assert (await my_chats(client, ana))[chat["id"]]["unread"] == 0


async def test_deleted_messages_are_not_unread(client, ana, bob):
    chat = await new_group(client, ana, bob)
    message = await send(client, bob, chat["id"], "oops")
    await client.delete(f"/api/messages/{message['id']}", headers=bob.headers)
    assert (await my_chats(client, ana))[chat["id"]]["unread"] == 0


async def test_unread_is_shown_on_the_chat_details_too(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await send(client, bob, chat["id"], "hi")
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)).json()
    assert seen["unread"] == 1


async def test_last_message_is_the_latest_one(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await send(client, ana, chat["id"], "first")
    latest = await send(client, bob, chat["id"], "second")
    view = (await my_chats(client, ana))[chat["id"]]
    assert view["last_message"]["id"] == latest["id"]
    assert view["last_message"]["text"] == "second"
    assert view["last_message"]["sender_id"] == bob.id
    assert view["last_seq"] == latest["seq"]


async def test_last_message_is_null_in_an_empty_chat(client, ana, bob):
    direct = (
        await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    ).json()
    view = (await my_chats(client, ana))[direct["id"]]
    assert view["last_message"] is None
    assert (view["last_seq"], view["unread"]) == (0, 0)


async def test_a_newcomer_starts_with_nothing_unread(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    await send(client, bob, chat["id"], "before cyd came")
    await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [cyd.id]}
    )
    assert (await my_chats(client, cyd))[chat["id"]]["unread"] == 0

"""Sends are idempotent by (sender, client_id): a repeat stores nothing and answers the first."""

from __future__ import annotations

from tests.conftest import assert_error
from tests.messages.helpers import chat, delete, direct, group, history, send, sent


async def test_repeat_answers_200_with_the_same_message(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    first = await send(client, ana, team["id"], "once", client_id="abc")
    assert first.status_code == 201, first.text
    length = len(await history(client, ana, team["id"]))
    last_seq = (await chat(client, ana, team["id"]))["last_seq"]

    again = await send(client, ana, team["id"], "once", client_id="abc")

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert len(await history(client, ana, team["id"])) == length
    assert (await chat(client, ana, team["id"]))["last_seq"] == last_seq
    assert [e["message"]["id"] for e in events.of("message.new", team["id"])] == [
        first.json()["id"]
    ]


async def test_repeat_with_other_text_still_answers_the_first_message(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    first = await sent(client, ana, chat_["id"], "original", client_id="k1")
    again = await send(client, ana, chat_["id"], "changed my mind", client_id="k1")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"]
    assert again.json()["text"] == "original"
    assert [m["text"] for m in await history(client, bob, chat_["id"])] == ["original"]


async def test_repeat_reflects_what_happened_to_the_message_since(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    first = await sent(client, ana, chat_["id"], "hello", client_id="k2")
    assert (
        await client.post(
            f"/api/chats/{chat_['id']}/read", headers=bob.headers, json={"seq": first["seq"]}
        )
    ).status_code == 204
    again = await send(client, ana, chat_["id"], "hello", client_id="k2")
    assert again.status_code == 200
    assert again.json()["is_read"] is True

    assert (await delete(client, ana, first["id"])).status_code == 204
    after_delete = await send(client, ana, chat_["id"], "hello", client_id="k2")
    assert after_delete.status_code == 200, after_delete.text
    assert after_delete.json()["id"] == first["id"]
    assert after_delete.json()["deleted"] is True
    assert len(await history(client, ana, chat_["id"])) == 1
    assert (await chat(client, ana, chat_["id"]))["last_seq"] == 1


async def test_client_id_reused_in_another_chat_is_409(client, ana, bob, cyd, events):
    here = await direct(client, ana, bob)
    there = await direct(client, ana, cyd)
    await events.watch(there["id"])
    await sent(client, ana, here["id"], "first", client_id="dup")

    assert_error(
        await send(client, ana, there["id"], "second", client_id="dup"), 409, "client_id_reused"
    )
    assert await history(client, ana, there["id"]) == []
    assert (await chat(client, ana, there["id"]))["last_seq"] == 0
    assert events.of("message.new") == []


async def test_client_ids_belong_to_their_sender(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    mine = await sent(client, ana, chat_["id"], "from ana", client_id="same")
    theirs = await sent(client, bob, chat_["id"], "from bob", client_id="same")
    assert mine["id"] != theirs["id"]
    assert [(m["sender_id"], m["seq"]) for m in await history(client, ana, chat_["id"])] == [
        (ana.id, 1),
        (bob.id, 2),
    ]


async def test_client_id_comparison_is_exact(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    lower = await sent(client, ana, chat_["id"], "one", client_id="abc")
    upper = await sent(client, ana, chat_["id"], "two", client_id="ABC")
    assert lower["id"] != upper["id"]
    assert len(await history(client, ana, chat_["id"])) == 2


async def test_repeat_needs_membership_still(client, ana, bob):
    team = await group(client, ana, bob)
    await sent(client, bob, team["id"], "hi", client_id="gone")
    assert (
        await client.post(f"/api/chats/{team['id']}/leave", headers=bob.headers)
    ).status_code == 204
    assert_error(await send(client, bob, team["id"], "hi", client_id="gone"), 404)

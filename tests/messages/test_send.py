"""Sending over REST: the stored message, text and client_id limits, replies, who may send."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import (
    MESSAGE_KEYS,
    chat,
    direct,
    group,
    history,
    send,
    sent,
)


async def test_send_answers_the_stored_message(client, ana, bob):
    team = await group(client, ana, bob)
    before = (await chat(client, ana, team["id"]))["last_seq"]

    response = await send(client, bob, team["id"], "  hello there \n", client_id="c-1")

    assert response.status_code == 201, response.text
    message = response.json()
    assert set(message) == MESSAGE_KEYS
    assert message["chat_id"] == team["id"]
    assert message["seq"] == before + 1
    assert message["sender_id"] == bob.id
    assert message["kind"] == "text"
    assert message["text"] == "hello there"
    assert message["client_id"] == "c-1"
    assert message["reply_to"] is None
    assert message["edited_at"] is None
    assert message["deleted"] is False
    assert message["is_read"] is False  # ana hasn't read it
    assert datetime.fromisoformat(message["created_at"]).tzinfo is not None
    assert (await chat(client, ana, team["id"]))["last_seq"] == before + 1
    assert (await history(client, ana, team["id"]))[-1] == message


async def test_seqs_follow_one_another_per_chat(client, ana, bob, cyd):
    first = await direct(client, ana, bob)
    second = await direct(client, ana, cyd)
    seqs = []
    for i in range(3):
        seqs.append((await sent(client, ana, first["id"], f"a{i}"))["seq"])
        seqs.append((await sent(client, cyd, second["id"], f"b{i}"))["seq"])
    assert seqs == [1, 1, 2, 2, 3, 3]


async def test_send_without_client_id_stores_each_time(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    one = await sent(client, ana, chat_["id"], "same")
    two = await sent(client, ana, chat_["id"], "same")
    assert one["client_id"] is None and two["client_id"] is None
    assert (one["seq"], two["seq"]) == (1, 2)
    assert one["id"] != two["id"]


@pytest.mark.parametrize("text", ["", " ", "   \n\t  "])
async def test_empty_or_whitespace_text_is_refused(client, ana, bob, text):
    chat_ = await direct(client, ana, bob)
    assert_error(await send(client, ana, chat_["id"], text), 422, "validation_error")
    assert await history(client, ana, chat_["id"]) == []
    assert (await chat(client, ana, chat_["id"]))["last_seq"] == 0


async def test_text_of_4000_characters_is_the_limit(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    longest = "x" * 4000
    message = await sent(client, ana, chat_["id"], f"  {longest}\n ")
    assert message["text"] == longest
    assert_error(await send(client, ana, chat_["id"], longest + "y"), 422, "validation_error")
    assert [m["text"] for m in await history(client, ana, chat_["id"])] == [longest]


async def test_text_of_another_type_or_missing_is_refused(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    url = f"/api/chats/{chat_['id']}/messages"
    for body in ({}, {"text": None}, {"text": 5}, {"text": ["a"]}, {"client_id": "x"}):
        assert_error(await client.post(url, headers=ana.headers, json=body), 422)
    assert_error(
        await client.post(
            url, headers={**ana.headers, "Content-Type": "application/json"}, content=b"{not json"
        ),
        422,
    )
    assert await history(client, ana, chat_["id"]) == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": "a\\u0000b"}',  # NUL: PostgreSQL can't store it
        b'{"text": "a\\ud800b"}',  # a lone surrogate: no driver can encode it
        b'{"text": "ok", "client_id": "c\\u0000"}',
        b'{"text": "ok", "client_id": "c\\udfff"}',
    ],
)
async def test_unstorable_characters_are_refused_not_500(client, ana, bob, raw):
    chat_ = await direct(client, ana, bob)
    response = await client.post(
        f"/api/chats/{chat_['id']}/messages",
        content=raw,
        headers={**ana.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 422, "validation_error")
    assert await history(client, ana, chat_["id"]) == []


async def test_unicode_text_round_trips(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    text = "héllo 👋🏽 — 日本語 \u200b ok"
    message = await sent(client, ana, chat_["id"], text)
    assert message["text"] == text
    assert (await history(client, bob, chat_["id"]))[0]["text"] == text


async def test_client_id_is_at_most_64_characters(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    longest = "k" * 64
    assert (await sent(client, ana, chat_["id"], client_id=longest))["client_id"] == longest
    assert_error(await send(client, ana, chat_["id"], client_id="k" * 65), 422, "validation_error")
    assert_error(await send(client, ana, chat_["id"], client_id=""), 422, "validation_error")
    assert len(await history(client, ana, chat_["id"])) == 1


async def test_reply_to_a_message_of_the_same_chat(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    question = await sent(client, ana, chat_["id"], "lunch?")
    answer = await sent(client, bob, chat_["id"], "yes", reply_to=question["id"])
    quoted = {
        "id": question["id"],
        "seq": question["seq"],
        "sender_id": ana.id,
        "snippet": question["text"],
    }
    assert answer["reply_to"] == quoted
    assert (await history(client, ana, chat_["id"]))[-1]["reply_to"] == quoted


async def test_reply_to_a_deleted_message_is_allowed(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    gone = await sent(client, ana, chat_["id"], "oops")
    response = await client.delete(f"/api/messages/{gone['id']}", headers=ana.headers)
    assert response.status_code == 204
    answer = await sent(client, bob, chat_["id"], "what was that?", reply_to=gone["id"])
    assert answer["reply_to"] == {
        "id": gone["id"],
        "seq": gone["seq"],
        "sender_id": ana.id,
        "snippet": None,
    }


async def test_reply_to_must_be_a_message_of_this_chat(client, ana, bob, cyd):
    here = await direct(client, ana, bob)
    elsewhere = await direct(client, ana, cyd)
    other = await sent(client, ana, elsewhere["id"], "elsewhere")
    assert_error(
        await send(client, ana, here["id"], "re", reply_to=other["id"]), 422, "validation_error"
    )
    assert_error(
        await send(client, ana, here["id"], "re", reply_to=other["id"] + 1000),
        422,
        "validation_error",
    )
    for bad in (0, -1, 2**63, "abc"):
        assert_error(await send(client, ana, here["id"], "re", reply_to=bad), 422)
    assert await history(client, ana, here["id"]) == []


async def test_reply_to_a_message_of_a_chat_i_cannot_see_says_nothing_about_it(
    client, ana, bob, cyd
):
    mine = await direct(client, ana, bob)
    theirs = await direct(client, bob, cyd)
    secret = await sent(client, bob, theirs["id"], "secret")
    error = assert_error(await send(client, ana, mine["id"], "re", reply_to=secret["id"]), 422)
    assert "secret" not in error["message"]


async def test_sender_must_be_signed_in(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    response = await client.post(f"/api/chats/{chat_['id']}/messages", json={"text": "hi"})
    assert_error(response, 401)
    response = await client.post(
        f"/api/chats/{chat_['id']}/messages",
        json={"text": "hi"},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert_error(response, 401)
    assert await history(client, ana, chat_["id"]) == []


async def test_private_chats_are_invisible_to_non_members(client, ana, bob, cyd):
    team = await group(client, ana, bob)
    pair = await direct(client, ana, bob)
    for chat_id in (team["id"], pair["id"]):
        last_seq = (await chat(client, ana, chat_id))["last_seq"]
        assert_error(await send(client, cyd, chat_id, "let me in"), 404, "not_found")
        response = await client.get(f"/api/chats/{chat_id}/messages", headers=cyd.headers)
        assert_error(response, 404, "not_found")
        assert (await chat(client, ana, chat_id))["last_seq"] == last_seq


async def test_unknown_chat_is_404(client, ana):
    assert_error(await send(client, ana, 999_999, "anyone?"), 404, "not_found")
    response = await client.get("/api/chats/999999/messages", headers=ana.headers)
    assert_error(response, 404, "not_found")
    for bad in (0, 2**31):
        assert_error(await send(client, ana, bad, "x"), 422)


async def test_public_group_needs_joining_first(client, ana, bob):
    lobby = await group(client, ana, public=True, name="Lobby")
    last_seq = (await chat(client, ana, lobby["id"]))["last_seq"]

    assert_error(await send(client, bob, lobby["id"], "hi"), 403, "not_a_member")
    response = await client.get(f"/api/chats/{lobby['id']}/messages", headers=bob.headers)
    assert_error(response, 403, "not_a_member")
    assert (await chat(client, ana, lobby["id"]))["last_seq"] == last_seq

    joined = await client.post(f"/api/chats/{lobby['id']}/join", headers=bob.headers)
    assert joined.status_code == 200, joined.text
    message = await sent(client, bob, lobby["id"], "hi")
    assert message["sender_id"] == bob.id
    assert (await history(client, ana, lobby["id"]))[-1]["id"] == message["id"]


async def test_leaving_a_group_ends_sending_but_keeps_my_messages(client, ana, bob):
    team = await group(client, ana, bob)
    mine = await sent(client, bob, team["id"], "bye all")
    left = await client.post(f"/api/chats/{team['id']}/leave", headers=bob.headers)
    assert left.status_code == 204, left.text
    assert_error(await send(client, bob, team["id"], "one more"), 404)
    texts = [(m["id"], m["text"]) for m in await history(client, ana, team["id"])]
    assert (mine["id"], "bye all") in texts


async def test_deleted_group_takes_no_messages(client, ana, bob):
    team = await group(client, ana, bob)
    gone = await client.delete(f"/api/chats/{team['id']}", headers=ana.headers)
    assert gone.status_code == 204, gone.text
    assert_error(await send(client, ana, team["id"], "echo"), 404)
    assert_error(await send(client, bob, team["id"], "echo"), 404)


async def test_group_history_shows_system_messages(client, ana, bob):
    team = await group(client, ana, bob)
    await sent(client, ana, team["id"], "welcome")
    messages = await history(client, bob, team["id"])
    assert [m["kind"] for m in messages] == ["system", "system", "text"]
    assert all(m["sender_id"] is None for m in messages[:2])
    assert [m["seq"] for m in messages] == [1, 2, 3]

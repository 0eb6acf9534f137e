"""The read pointer, `is_read` on messages, and unread counts / last message in my chats."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import chat, delete, direct, group, history, listed, read, sent


async def _is_read(client, person, chat_id) -> dict[int, bool]:
    return {m["seq"]: m["is_read"] for m in await history(client, person, chat_id)}


# The read pointer


async def test_read_moves_my_pointer_and_tells_the_chat(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    for i in range(3):
        await sent(client, ana, chat_["id"], f"m{i}")

    response = await read(client, bob, chat_["id"], 2)

    assert response.status_code == 204 and response.content == b""
    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 2
    assert events.of("read", chat_["id"]) == [
        {"type": "read", "chat_id": chat_["id"], "user_id": bob.id, "seq": 2}
    ]


async def test_read_never_moves_back_and_tells_only_moves(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    for i in range(4):
        await sent(client, ana, chat_["id"], f"m{i}")
    assert (await read(client, bob, chat_["id"], 3)).status_code == 204

    for seq in (1, 3, 0):
        assert (await read(client, bob, chat_["id"], seq)).status_code == 204
        assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 3

    assert (await read(client, bob, chat_["id"], 4)).status_code == 204
    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 4
    assert [e["seq"] for e in events.of("read", chat_["id"])] == [3, 4]


async def test_read_is_capped_at_the_last_message(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    await sent(client, ana, chat_["id"], "one")
    await sent(client, ana, chat_["id"], "two")

    assert (await read(client, bob, chat_["id"], 2**63 - 1)).status_code == 204

    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 2
    assert [e["seq"] for e in events.of("read", chat_["id"])] == [2]
    # Messages sent later are unread, though the pointer was asked to pass them.
    await sent(client, ana, chat_["id"], "three")
    assert (await listed(client, bob, chat_["id"]))["unread"] == 1
    assert (await _is_read(client, ana, chat_["id"]))[3] is False


async def test_read_in_an_empty_chat_changes_nothing(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    assert (await read(client, bob, chat_["id"], 10)).status_code == 204
    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 0
    assert events.of("read") == []


@pytest.mark.parametrize("body", [{"seq": -1}, {"seq": 2**63}, {}, {"seq": "x"}, {"seq": None}])
async def test_read_needs_a_valid_seq(client, ana, bob, body):
    chat_ = await direct(client, ana, bob)
    await sent(client, ana, chat_["id"], "one")
    response = await client.post(f"/api/chats/{chat_['id']}/read", headers=bob.headers, json=body)
    assert_error(response, 422, "validation_error")
    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 0


async def test_read_needs_membership(client, ana, bob, cyd, events):
    pair = await direct(client, ana, bob)
    team = await group(client, ana, bob)
    lobby = await group(client, ana, public=True, name="Lobby")
    for chat_id in (pair["id"], team["id"], lobby["id"]):
        await events.watch(chat_id)
        await sent(client, ana, chat_id, "hi")
    assert_error(await read(client, cyd, pair["id"], 1), 404, "not_found")
    assert_error(await read(client, cyd, team["id"], 1), 404, "not_found")
    assert_error(await read(client, cyd, lobby["id"], 1), 403, "not_a_member")
    assert_error(await read(client, cyd, 999_999, 1), 404, "not_found")
    assert_error(await client.post(f"/api/chats/{pair['id']}/read", json={"seq": 1}), 401)
    assert events.of("read") == []


async def test_sending_moves_my_own_pointer(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    for i in range(3):
        await sent(client, bob, chat_["id"], f"b{i}")
    assert (await chat(client, ana, chat_["id"]))["last_read_seq"] == 0
    assert (await listed(client, ana, chat_["id"]))["unread"] == 3

    mine = await sent(client, ana, chat_["id"], "caught up")

    view = await listed(client, ana, chat_["id"])
    assert view["last_read_seq"] == mine["seq"] == 4
    assert view["unread"] == 0
    # ...and not anybody else's.
    assert (await chat(client, bob, chat_["id"]))["last_read_seq"] == 3


# is_read


async def test_is_read_once_every_other_member_has_read(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, ana, team["id"], "all read?")
    seq = message["seq"]
    assert message["is_read"] is False

    assert (await read(client, bob, team["id"], seq)).status_code == 204
    assert (await _is_read(client, ana, team["id"]))[seq] is False

    assert (await read(client, cyd, team["id"], seq)).status_code == 204
    assert (await _is_read(client, ana, team["id"]))[seq] is True
    assert (await _is_read(client, bob, team["id"]))[seq] is True
    assert (await listed(client, ana, team["id"]))["last_message"]["is_read"] is True


async def test_is_read_ignores_the_senders_own_pointer(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    first = await sent(client, bob, team["id"], "from bob")
    second = await sent(client, cyd, team["id"], "from cyd")
    # ana reads only the first; cyd's send moved cyd past bob's message.
    assert (await read(client, ana, team["id"], first["seq"])).status_code == 204
    state = await _is_read(client, bob, team["id"])
    assert state[first["seq"]] is True  # ana and cyd have read it
    assert state[second["seq"]] is False  # ana and bob haven't
    assert (await read(client, bob, team["id"], second["seq"])).status_code == 204
    assert (await _is_read(client, cyd, team["id"]))[second["seq"]] is False  # ana hasn't
    assert (await read(client, ana, team["id"], second["seq"])).status_code == 204
    assert (await _is_read(client, cyd, team["id"]))[second["seq"]] is True


async def test_is_read_covers_earlier_messages(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    for i in range(5):
        await sent(client, ana, chat_["id"], f"m{i}")
    assert (await read(client, bob, chat_["id"], 3)).status_code == 204
    assert await _is_read(client, ana, chat_["id"]) == {
        1: True,
        2: True,
        3: True,
        4: False,
        5: False,
    }


async def test_is_read_forgets_members_who_left(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, ana, team["id"], "hello")
    assert (await read(client, bob, team["id"], message["seq"])).status_code == 204
    assert (await _is_read(client, ana, team["id"]))[message["seq"]] is False
    assert (
        await client.post(f"/api/chats/{team['id']}/leave", headers=cyd.headers)
    ).status_code == 204
    assert (await _is_read(client, ana, team["id"]))[message["seq"]] is True


async def test_message_alone_in_a_group_is_read(client, ana):
    solo = await group(client, ana, name="Notes")
    assert (await sent(client, ana, solo["id"], "note to self"))["is_read"] is True


# Unread counts and the last message


async def test_unread_counts_others_text_messages_after_my_pointer(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    assert (await listed(client, bob, team["id"]))["unread"] == 0  # system messages don't count
    await sent(client, ana, team["id"], "a1")
    await sent(client, cyd, team["id"], "c1")
    await sent(client, bob, team["id"], "b1")  # bob's send reads everything before it
    last = await sent(client, ana, team["id"], "a2")
    await sent(client, cyd, team["id"], "c2")

    bobs = await listed(client, bob, team["id"])
    assert bobs["unread"] == 2
    assert bobs["last_message"]["text"] == "c2"
    assert bobs["last_seq"] == last["seq"] + 1
    assert (await chat(client, bob, team["id"]))["unread"] == 2
    assert (await listed(client, cyd, team["id"]))["unread"] == 0
    assert (await listed(client, ana, team["id"]))["unread"] == 1

    assert (await read(client, bob, team["id"], last["seq"])).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread"] == 1
    assert (await read(client, bob, team["id"], bobs["last_seq"])).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread"] == 0


async def test_deleted_messages_are_not_unread(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    keep = await sent(client, ana, chat_["id"], "keep")
    gone = await sent(client, ana, chat_["id"], "gone")
    assert (await listed(client, bob, chat_["id"]))["unread"] == 2
    assert (await delete(client, ana, gone["id"])).status_code == 204
    view = await listed(client, bob, chat_["id"])
    assert view["unread"] == 1
    assert view["last_message"]["id"] == gone["id"]
    assert (await delete(client, ana, keep["id"])).status_code == 204
    assert (await listed(client, bob, chat_["id"]))["unread"] == 0


async def test_last_message_is_null_in_an_empty_chat(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    view = await listed(client, ana, chat_["id"])
    assert view["last_message"] is None
    assert (view["unread"], view["last_seq"], view["last_read_seq"]) == (0, 0, 0)
    message = await sent(client, bob, chat_["id"], "first")
    view = await listed(client, ana, chat_["id"])
    assert view["last_message"] == message
    assert view["unread"] == 1


async def test_chat_with_newest_message_is_listed_first(client, ana, bob, cyd):
    older = await direct(client, ana, bob)
    newer = await direct(client, ana, cyd)
    await sent(client, cyd, newer["id"], "first")
    await sent(client, bob, older["id"], "second")
    response = await client.get("/api/chats", headers=ana.headers)
    assert [c["id"] for c in response.json()][:2] == [older["id"], newer["id"]]

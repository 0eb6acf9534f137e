"""Mark as unread: `POST /api/chats/{id}/unread {seq}` moves my read pointer back to seq - 1
(never forward), so the unread counts come back, and tells my devices (only mine) with a
`read` event. Read receipts don't move back: marking unread is private."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import chat, direct, group, history, listed, read, sent


def unread(client, person, chat_id: int, seq):
    return client.post(f"/api/chats/{chat_id}/unread", headers=person.headers, json={"seq": seq})


async def _read_chat(client, ana, bob, messages: int = 4) -> dict:
    """A direct chat where ana sent `messages` messages and bob has read them all."""
    pair = await direct(client, ana, bob)
    for i in range(messages):
        await sent(client, ana, pair["id"], f"m{i}")
    assert (await read(client, bob, pair["id"], messages)).status_code == 204
    return pair


async def pointer(client, person, chat_id: int) -> int:
    return (await chat(client, person, chat_id))["last_read_seq"]


async def watch_me(events, person) -> None:
    await events.broker.subscribe(f"user:{person.id}")


def mine(events, person, kind: str = "read") -> list[dict]:
    """Events of `kind` on the person's own channel (their devices only)."""
    return [e for ch, e in events.received if ch == f"user:{person.id}" and e["type"] == kind]


async def test_mark_unread_moves_my_pointer_back(client, ana, bob, events):
    pair = await _read_chat(client, ana, bob)
    await events.watch(pair["id"])
    await watch_me(events, bob)
    assert (await listed(client, bob, pair["id"]))["unread"] == 0

    response = await unread(client, bob, pair["id"], 2)

    assert response.status_code == 204 and response.content == b""
    assert await pointer(client, bob, pair["id"]) == 1
    view = await listed(client, bob, pair["id"])
    assert view["unread"] == 3 and view["last_read_seq"] == 1
    assert mine(events, bob) == [
        {"type": "read", "chat_id": pair["id"], "user_id": bob.id, "seq": 1}
    ]
    # Only my pointer moved, and privately: ana is not told, her messages stay read.
    assert events.of("read", pair["id"]) == []
    assert await pointer(client, ana, pair["id"]) == 4
    assert all(m["is_read"] for m in await history(client, ana, pair["id"]))
    members = await client.get(f"/api/chats/{pair['id']}/members", headers=ana.headers)
    bobs = [m for m in members.json() if m["user_id"] == bob.id]
    assert bobs[0]["last_read_seq"] == 4


async def test_from_the_first_message_everything_is_unread(client, ana, bob):
    pair = await _read_chat(client, ana, bob)
    assert (await unread(client, bob, pair["id"], 1)).status_code == 204
    assert await pointer(client, bob, pair["id"]) == 0
    assert (await listed(client, bob, pair["id"]))["unread"] == 4


async def test_it_never_moves_the_pointer_forward(client, ana, bob, events):
    pair = await direct(client, ana, bob)
    for i in range(4):
        await sent(client, ana, pair["id"], f"m{i}")
    assert (await read(client, bob, pair["id"], 1)).status_code == 204
    await events.watch(pair["id"])
    await watch_me(events, bob)

    for seq in (2, 3, 4, 5, 1000, 2**63 - 1):
        assert (await unread(client, bob, pair["id"], seq)).status_code == 204
        assert await pointer(client, bob, pair["id"]) == 1

    assert events.of("read") == []
    assert (await listed(client, bob, pair["id"]))["unread"] == 3


async def test_beyond_the_last_message_changes_nothing(client, ana, bob, events):
    pair = await _read_chat(client, ana, bob)
    await events.watch(pair["id"])
    await watch_me(events, bob)
    for seq in (5, 6, 10**9):
        assert (await unread(client, bob, pair["id"], seq)).status_code == 204
    assert await pointer(client, bob, pair["id"]) == 4
    assert events.of("read") == []


async def test_reading_again_afterwards(client, ana, bob, events):
    pair = await _read_chat(client, ana, bob)
    await events.watch(pair["id"])
    await watch_me(events, bob)
    assert (await unread(client, bob, pair["id"], 3)).status_code == 204
    assert (await read(client, bob, pair["id"], 3)).status_code == 204
    assert await pointer(client, bob, pair["id"]) == 3
    assert (await unread(client, bob, pair["id"], 2)).status_code == 204
    assert (await read(client, bob, pair["id"], 4)).status_code == 204
    assert await pointer(client, bob, pair["id"]) == 4
    # Everything re-read had been read before: only my devices hear of it.
    assert [e["seq"] for e in mine(events, bob)] == [2, 3, 1, 4]
    assert events.of("read", pair["id"]) == []
    assert (await listed(client, bob, pair["id"]))["unread"] == 0
    await sent(client, ana, pair["id"], "new")
    assert (await read(client, bob, pair["id"], 5)).status_code == 204
    assert [e["seq"] for e in events.of("read", pair["id"])] == [5]


async def test_unread_mentions_come_back(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    mention = await sent(client, ana, team["id"], "@bob please review")
    await sent(client, cyd, team["id"], "and me after")
    last = (await chat(client, bob, team["id"]))["last_seq"]
    assert (await read(client, bob, team["id"], last)).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 0

    assert (await unread(client, bob, team["id"], mention["seq"])).status_code == 204

    mine = await listed(client, bob, team["id"])
    assert mine["unread_mentions"] == 1 and mine["unread"] == 2
    assert mine["last_read_seq"] == mention["seq"] - 1


async def test_my_own_messages_stay_read(client, ana, bob):
    pair = await direct(client, ana, bob)
    await sent(client, ana, pair["id"], "from ana")
    await sent(client, bob, pair["id"], "from bob")  # sending reads everything before it
    assert (await unread(client, bob, pair["id"], 1)).status_code == 204
    assert (await listed(client, bob, pair["id"]))["unread"] == 1


@pytest.mark.parametrize(
    "body", [{"seq": 0}, {"seq": -1}, {"seq": 2**63}, {}, {"seq": "x"}, {"seq": None}, {"seq": 1.5}]
)
async def test_seq_must_be_a_message_seq(client, ana, bob, events, body):
    pair = await _read_chat(client, ana, bob)
    await events.watch(pair["id"])
    response = await client.post(f"/api/chats/{pair['id']}/unread", headers=bob.headers, json=body)
    assert_error(response, 422, "validation_error")
    assert await pointer(client, bob, pair["id"]) == 4
    assert events.of("read") == []


async def test_only_members(client, ana, bob, cyd, events):
    pair = await _read_chat(client, ana, bob)
    lobby = await group(client, ana, public=True, name="Lobby")
    await sent(client, ana, lobby["id"], "welcome")
    await events.watch(pair["id"])
    await events.watch(lobby["id"])

    assert_error(await unread(client, cyd, pair["id"], 1), 404)
    assert_error(await unread(client, cyd, 10**6, 1), 404)
    assert_error(await unread(client, cyd, lobby["id"], 1), 403, "not_a_member")
    no_auth = await client.post(f"/api/chats/{pair['id']}/unread", json={"seq": 1})
    assert_error(no_auth, 401)

    assert await pointer(client, bob, pair["id"]) == 4
    assert events.received == []


async def test_at_the_same_moment_the_earliest_wins(client, ana, bob, events):
    pair = await _read_chat(client, ana, bob, messages=6)
    await watch_me(events, bob)
    responses = await asyncio.gather(*(unread(client, bob, pair["id"], s) for s in (6, 2, 5, 4)))
    assert [r.status_code for r in responses] == [204] * 4
    assert await pointer(client, bob, pair["id"]) == 1
    # Only moves back are told, and the furthest one among them.
    told = [e["seq"] for e in mine(events, bob)]
    assert min(told) == 1 and len(told) == len(set(told))

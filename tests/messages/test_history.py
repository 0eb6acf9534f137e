"""History: ascending by seq, `limit`, exclusive `before`/`after` cursors and `offset`."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import MESSAGE_KEYS, direct, history, sent


@pytest.fixture
async def talk(client, ana, bob):
    """A direct chat (no system messages) holding seqs 1..12, texts m1..m12."""
    chat_ = await direct(client, ana, bob)
    for seq in range(1, 13):
        await sent(client, ana if seq % 2 else bob, chat_["id"], f"m{seq}")
    return chat_["id"]


def seqs(messages: list[dict]) -> list[int]:
    return [m["seq"] for m in messages]


async def test_empty_chat_has_empty_history(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    assert await history(client, ana, chat_["id"]) == []
    assert await history(client, ana, chat_["id"], after=0) == []
    assert await history(client, ana, chat_["id"], offset=0) == []


async def test_history_is_ascending_and_complete(client, ana, talk):
    messages = await history(client, ana, talk)
    assert seqs(messages) == list(range(1, 13))
    assert [m["text"] for m in messages] == [f"m{i}" for i in range(1, 13)]
    assert all(set(m) == MESSAGE_KEYS for m in messages)


async def test_without_cursors_answers_the_latest_limit(client, ana, talk):
    assert seqs(await history(client, ana, talk, limit=3)) == [10, 11, 12]
    assert seqs(await history(client, ana, talk, limit=1)) == [12]
    assert seqs(await history(client, ana, talk, limit=100)) == list(range(1, 13))


async def test_default_limit_is_50_latest(client, ctx, ana, bob):
    chat_ = await direct(client, ana, bob)
    for i in range(55):
        await sent(client, ana, chat_["id"], f"n{i}")
    assert seqs(await history(client, ana, chat_["id"])) == list(range(6, 56))


@pytest.mark.parametrize("limit", [0, -1, 101, "many", 1.5])
async def test_limit_is_1_to_100(client, ana, talk, limit):
    response = await client.get(
        f"/api/chats/{talk}/messages", headers=ana.headers, params={"limit": limit}
    )
    assert_error(response, 422, "validation_error")


async def test_after_is_exclusive_and_ascending(client, ana, talk):
    assert seqs(await history(client, ana, talk, after=4, limit=3)) == [5, 6, 7]
    assert seqs(await history(client, ana, talk, after=0, limit=2)) == [1, 2]
    assert seqs(await history(client, ana, talk, after=10)) == [11, 12]
    assert await history(client, ana, talk, after=12) == []
    assert await history(client, ana, talk, after=2**63 - 1) == []


async def test_before_is_exclusive_and_answers_the_nearest(client, ana, talk):
    assert seqs(await history(client, ana, talk, before=8, limit=3)) == [5, 6, 7]
    assert seqs(await history(client, ana, talk, before=3)) == [1, 2]
    assert seqs(await history(client, ana, talk, before=13, limit=2)) == [11, 12]
    assert await history(client, ana, talk, before=1) == []
    assert await history(client, ana, talk, before=0) == []


async def test_before_and_after_together_bound_both_sides(client, ana, talk):
    assert seqs(await history(client, ana, talk, after=3, before=7)) == [4, 5, 6]
    # A window wider than the limit starts right after `after`.
    assert seqs(await history(client, ana, talk, after=3, before=12, limit=2)) == [4, 5]
    assert await history(client, ana, talk, after=5, before=6) == []
    assert await history(client, ana, talk, after=7, before=3) == []


async def test_offset_counts_from_the_first_message(client, ana, talk):
    assert seqs(await history(client, ana, talk, offset=0, limit=3)) == [1, 2, 3]
    assert seqs(await history(client, ana, talk, offset=4, limit=3)) == [5, 6, 7]
    assert seqs(await history(client, ana, talk, offset=10)) == [11, 12]
    assert await history(client, ana, talk, offset=12) == []


@pytest.mark.parametrize(
    "params",
    [
        {"offset": 1, "before": 5},
        {"offset": 1, "after": 5},
        {"offset": 0, "after": 0},
        {"offset": 2, "after": 1, "before": 9},
    ],
)
async def test_offset_with_a_cursor_is_400(client, ana, talk, params):
    response = await client.get(f"/api/chats/{talk}/messages", headers=ana.headers, params=params)
    assert_error(response, 400)


@pytest.mark.parametrize(
    "params",
    [
        {"before": -1},
        {"after": -1},
        {"offset": -1},
        {"after": 2**63},
        {"before": "x"},
    ],
)
async def test_bad_cursors_are_422(client, ana, talk, params):
    response = await client.get(f"/api/chats/{talk}/messages", headers=ana.headers, params=params)
    assert_error(response, 422, "validation_error")


async def test_paging_back_with_before_returns_every_message_once(client, ana, bob, talk):
    await sent(client, bob, talk, "m13")
    seen: list[int] = []
    page = await history(client, ana, talk, limit=5)
    while page:
        assert seqs(page) == sorted(seqs(page))
        seen = seqs(page) + seen
        page = await history(client, ana, talk, limit=5, before=page[0]["seq"])
    assert seen == list(range(1, 14))


async def test_paging_forward_with_after_returns_every_message_once(client, ana, talk):
    seen: list[int] = []
    cursor = 0
    while page := await history(client, ana, talk, limit=5, after=cursor):
        seen += seqs(page)
        cursor = page[-1]["seq"]
    assert seen == list(range(1, 13))


async def test_paging_with_offset_returns_every_message_once(client, ana, talk):
    seen: list[int] = []
    while page := await history(client, ana, talk, limit=5, offset=len(seen)):
        seen += seqs(page)
    assert seen == list(range(1, 13))


async def test_both_members_see_the_same_history(client, ana, bob, talk):
    mine = await history(client, ana, talk)
    theirs = await history(client, bob, talk)
    assert [(m["id"], m["seq"], m["text"]) for m in mine] == [
        (m["id"], m["seq"], m["text"]) for m in theirs
    ]


async def test_history_of_one_chat_holds_only_its_messages(client, ana, bob, cyd, talk):
    other = await direct(client, ana, cyd)
    await sent(client, cyd, other["id"], "elsewhere")
    assert {m["chat_id"] for m in await history(client, ana, talk)} == {talk}
    assert [m["text"] for m in await history(client, ana, other["id"])] == ["elsewhere"]


async def test_history_needs_sign_in(client, talk):
    assert_error(await client.get(f"/api/chats/{talk}/messages"), 401)

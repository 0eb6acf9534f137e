"""Sends at the same moment: gapless, duplicate-free seqs and one message per client_id,
over HTTP and through the service with a transaction each (truly parallel on PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter

from chinwag.accounts.models import User
from chinwag.messages.reading import mark_read
from chinwag.messages.service import send_message
from tests.conftest import assert_error
from tests.messages.helpers import chat, direct, group, history, read, send

SENDS = 50
REPEATS = 20


async def _check_contiguous(client, person, chat_id: int, before: int, messages: list[dict]):
    """The new messages hold exactly the seqs before+1..before+N, and history agrees."""
    seqs = sorted(m["seq"] for m in messages)
    assert seqs == list(range(before + 1, before + len(messages) + 1))
    assert (await chat(client, person, chat_id))["last_seq"] == seqs[-1]
    stored = await history(client, person, chat_id, after=before, limit=100)
    assert [m["seq"] for m in stored] == seqs
    assert {m["id"] for m in stored} == {m["id"] for m in messages}
    assert len({m["id"] for m in messages}) == len(messages)


async def test_concurrent_sends_get_consecutive_seqs(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    before = (await chat(client, ana, team["id"]))["last_seq"]
    senders = [ana, bob, cyd]

    responses = await asyncio.gather(
        *(
            send(client, senders[i % 3], team["id"], f"message {i}", client_id=f"c{i}")
            for i in range(SENDS)
        )
    )

    assert [r.status_code for r in responses] == [201] * SENDS, [r.text for r in responses]
    messages = [r.json() for r in responses]
    await _check_contiguous(client, ana, team["id"], before, messages)
    assert sorted(m["text"] for m in messages) == sorted(f"message {i}" for i in range(SENDS))
    published = events.of("message.new", team["id"])
    assert sorted(e["message"]["seq"] for e in published) == sorted(m["seq"] for m in messages)


async def test_concurrent_sends_to_several_chats_keep_each_chat_gapless(client, ana, bob, cyd):
    first = await group(client, ana, bob, name="One")
    second = await group(client, bob, cyd, name="Two")
    start = {c["id"]: (await chat(client, bob, c["id"]))["last_seq"] for c in (first, second)}
    plan = [(first["id"], ana), (first["id"], bob), (second["id"], bob), (second["id"], cyd)]

    responses = await asyncio.gather(
        *(send(client, person, chat_id, f"m{i}") for i in range(10) for chat_id, person in plan)
    )

    assert {r.status_code for r in responses} == {201}
    for chat_id in start:
        messages = [r.json() for r in responses if r.json()["chat_id"] == chat_id]
        assert len(messages) == 20
        await _check_contiguous(client, bob, chat_id, start[chat_id], messages)


async def test_concurrent_repeats_of_one_client_id_store_one_message(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    before = (await chat(client, ana, team["id"]))["last_seq"]

    responses = await asyncio.gather(
        *(
            send(client, ana, team["id"], "only once", client_id="retry-storm")
            for _ in range(REPEATS)
        )
    )

    assert Counter(r.status_code for r in responses) == {201: 1, 200: REPEATS - 1}, [
        r.text for r in responses
    ]
    messages = [r.json() for r in responses]
    assert {m["id"] for m in messages} == {messages[0]["id"]}
    assert {(m["seq"], m["text"], m["client_id"]) for m in messages} == {
        (before + 1, "only once", "retry-storm")
    }
    assert (await chat(client, ana, team["id"]))["last_seq"] == before + 1
    assert [m["id"] for m in await history(client, bob, team["id"], after=before)] == [
        messages[0]["id"]
    ]
    assert len(events.of("message.new", team["id"])) == 1


async def test_concurrent_repeats_mixed_with_other_sends(client, ana, bob):
    team = await group(client, ana, bob)
    before = (await chat(client, ana, team["id"]))["last_seq"]

    responses = await asyncio.gather(
        *(
            send(client, ana, team["id"], "dup", client_id="same")
            if i % 2
            else send(client, bob, team["id"], f"other {i}", client_id=f"bob-{i}")
            for i in range(30)
        )
    )

    assert {r.status_code for r in responses} <= {200, 201}, [r.text for r in responses]
    repeats = [r for i, r in enumerate(responses) if i % 2]
    assert Counter(r.status_code for r in repeats) == {201: 1, 200: 14}
    assert len({r.json()["id"] for r in repeats}) == 1
    unique = {r.json()["id"]: r.json() for r in responses}
    assert len(unique) == 16
    await _check_contiguous(client, ana, team["id"], before, list(unique.values()))


async def _send_in_own_session(ctx, user_id: int, chat_id: int, text: str, client_id: str | None):
    user = await ctx.db.read(lambda db: db.get(User, user_id))
    return await send_message(ctx, user, chat_id, text, client_id)


async def test_service_sends_in_parallel_transactions_are_gapless(
    client, ctx, ana, bob, cyd, events
):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    before = (await chat(client, ana, team["id"]))["last_seq"]
    senders = [ana.id, bob.id, cyd.id]

    results = await asyncio.gather(
        *(
            _send_in_own_session(ctx, senders[i % 3], team["id"], f"s{i}", f"svc-{i}")
            for i in range(SENDS)
        )
    )

    assert all(r.created for r in results)
    await _check_contiguous(client, ana, team["id"], before, [r.message for r in results])
    assert len(events.of("message.new", team["id"])) == SENDS


async def test_service_repeats_in_parallel_transactions_store_one(client, ctx, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    before = (await chat(client, ana, team["id"]))["last_seq"]

    results = await asyncio.gather(
        *(
            _send_in_own_session(ctx, bob.id, team["id"], "just once", "svc-dup")
            for _ in range(REPEATS)
        )
    )

    assert sorted(r.created for r in results) == [False] * (REPEATS - 1) + [True]
    assert len({r.message["id"] for r in results}) == 1
    assert {r.message["seq"] for r in results} == {before + 1}
    assert (await chat(client, ana, team["id"]))["last_seq"] == before + 1
    assert len(await history(client, ana, team["id"], after=before)) == 1
    assert len(events.of("message.new", team["id"])) == 1
    # The seqs given back by the losers leave no hole for the next send.
    after = await _send_in_own_session(ctx, ana.id, team["id"], "next", None)
    assert after.message["seq"] == before + 2


async def test_service_repeats_and_other_sends_in_parallel(client, ctx, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    before = (await chat(client, ana, team["id"]))["last_seq"]

    results = await asyncio.gather(
        *(
            _send_in_own_session(ctx, bob.id, team["id"], "dup", "mixed-dup")
            if i % 2
            else _send_in_own_session(ctx, cyd.id, team["id"], f"cyd {i}", f"cyd-{i}")
            for i in range(30)
        )
    )

    repeats = [r for i, r in enumerate(results) if i % 2]
    assert sum(r.created for r in repeats) == 1
    assert len({r.message["id"] for r in repeats}) == 1
    unique = {r.message["id"]: r.message for r in results}
    assert len(unique) == 16
    await _check_contiguous(client, ana, team["id"], before, list(unique.values()))


async def test_concurrent_read_pointers_only_move_forward(client, ana, bob):
    team = await group(client, ana, bob)
    for i in range(10):
        assert (await send(client, ana, team["id"], f"m{i}")).status_code == 201
    last_seq = (await chat(client, bob, team["id"]))["last_seq"]
    seqs = list(range(1, last_seq + 1))
    order = seqs[::2] + seqs[1::2][::-1]

    responses = await asyncio.gather(*(read(client, bob, team["id"], seq) for seq in order))

    assert {r.status_code for r in responses} == {204}
    assert (await chat(client, bob, team["id"]))["last_read_seq"] == last_seq


async def test_service_read_pointers_in_parallel_transactions(client, ctx, ana, bob):
    team = await group(client, ana, bob)
    for i in range(10):
        assert (await send(client, ana, team["id"], f"m{i}")).status_code == 201
    last_seq = (await chat(client, bob, team["id"]))["last_seq"]

    async def mark(seq: int) -> int:
        user = await ctx.db.read(lambda db: db.get(User, bob.id))
        return await mark_read(ctx, user, team["id"], seq)

    await asyncio.gather(*(mark(seq) for seq in reversed(range(1, last_seq + 1))))

    assert (await chat(client, bob, team["id"]))["last_read_seq"] == last_seq


async def test_concurrent_sends_of_one_client_id_to_two_chats(client, ana, bob, cyd):
    here = await direct(client, ana, bob)
    there = await direct(client, ana, cyd)

    responses = await asyncio.gather(
        *(
            send(client, ana, (here if i % 2 else there)["id"], "which chat?", client_id="both")
            for i in range(20)
        )
    )

    created = [r for r in responses if r.status_code == 201]
    assert len(created) == 1, [r.text for r in responses]
    winner = created[0].json()
    for response in responses:
        if response.json().get("chat_id") == winner["chat_id"]:
            assert response.status_code in (200, 201)
            assert response.json()["id"] == winner["id"]
        else:
            assert_error(response, 409, "client_id_reused")
    loser = there if winner["chat_id"] == here["id"] else here
    assert await history(client, ana, loser["id"]) == []
    assert [m["id"] for m in await history(client, ana, winner["chat_id"])] == [winner["id"]]

"""Reactions: one emoji per person per message, added and taken back idempotently, shown in
the message with counts and who reacted, told to the chat; validation, permissions, races."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from chinwag.messages.models import Message, Reaction
from tests.conftest import assert_error
from tests.messages.helpers import delete, direct, group, history, sent


def react(client, person, message_id: int, emoji: str):
    return client.put(
        f"/api/messages/{message_id}/reactions/{quote(emoji, safe='')}", headers=person.headers
    )


def unreact(client, person, message_id: int, emoji: str):
    return client.delete(
        f"/api/messages/{message_id}/reactions/{quote(emoji, safe='')}", headers=person.headers
    )


async def reactions_in_history(client, person, message: dict) -> list[dict]:
    [found] = [
        m for m in await history(client, person, message["chat_id"]) if m["id"] == message["id"]
    ]
    return found["reactions"]


async def stored_counts(ctx, message_id: int) -> tuple[int, int]:
    """The row's reaction_count and the number of reaction rows: they must agree."""

    def counts(db):
        counter = db.scalar(select(Message.reaction_count).where(Message.id == message_id))
        rows = db.scalar(
            select(func.count()).select_from(Reaction).where(Reaction.message_id == message_id)
        )
        return counter, rows

    return await ctx.db.read(counts)


def reaction_events(events, chat_id: int) -> list[dict]:
    return [
        e
        for _, e in events.received
        if e["type"].startswith("reaction.") and e["chat_id"] == chat_id
    ]


async def test_react_and_take_it_back(client, ctx, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "ship it?")

    response = await react(client, bob, message["id"], "👍")

    assert response.status_code == 204 and response.content == b""
    assert await reactions_in_history(client, ana, message) == [
        {"emoji": "👍", "count": 1, "user_ids": [bob.id]}
    ]
    added = {"chat_id": pair["id"], "message_id": message["id"], "emoji": "👍", "user_id": bob.id}
    assert reaction_events(events, pair["id"]) == [{"type": "reaction.added", **added}]

    response = await unreact(client, bob, message["id"], "👍")

    assert response.status_code == 204 and response.content == b""
    assert await reactions_in_history(client, ana, message) == []
    assert reaction_events(events, pair["id"])[1:] == [{"type": "reaction.removed", **added}]
    assert await stored_counts(ctx, message["id"]) == (0, 0)


async def test_counts_and_people_in_the_order_they_reacted(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, ana, team["id"], "release is out")
    for person, emoji in [(cyd, "🎉"), (bob, "👍"), (ana, "🎉"), (bob, "🎉"), (cyd, "👍🏽")]:
        assert (await react(client, person, message["id"], emoji)).status_code == 204
    assert await reactions_in_history(client, bob, message) == [
        {"emoji": "🎉", "count": 3, "user_ids": [cyd.id, ana.id, bob.id]},
        {"emoji": "👍", "count": 1, "user_ids": [bob.id]},
        {"emoji": "👍🏽", "count": 1, "user_ids": [cyd.id]},
    ]
    assert (await unreact(client, ana, message["id"], "🎉")).status_code == 204
    assert (await reactions_in_history(client, bob, message))[0] == {
        "emoji": "🎉",
        "count": 2,
        "user_ids": [cyd.id, bob.id],
    }


async def test_again_changes_nothing_and_tells_nobody(client, ctx, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "hi")
    assert (await unreact(client, bob, message["id"], "👍")).status_code == 204
    for _ in range(3):
        assert (await react(client, bob, message["id"], "👍")).status_code == 204
    assert await reactions_in_history(client, ana, message) == [
        {"emoji": "👍", "count": 1, "user_ids": [bob.id]}
    ]
    for _ in range(2):
        assert (await unreact(client, bob, message["id"], "👍")).status_code == 204
    assert [e["type"] for e in reaction_events(events, pair["id"])] == [
        "reaction.added",
        "reaction.removed",
    ]
    assert await stored_counts(ctx, message["id"]) == (0, 0)


@pytest.mark.parametrize(
    "emoji",
    [
        "👍🏽",
        "👨‍👩‍👧‍👦",
        "🇫🇷",
        "🏳️‍🌈",
        "❤️",
        "#️⃣",
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ],
)
async def test_any_single_emoji(client, ana, bob, emoji):
    pair = await direct(client, ana, bob)
    message = await sent(client, ana, pair["id"], "hi")
    assert (await react(client, bob, message["id"], emoji)).status_code == 204
    assert await reactions_in_history(client, ana, message) == [
        {"emoji": emoji, "count": 1, "user_ids": [bob.id]}
    ]


@pytest.mark.parametrize(
    "emoji",
    [
        "a",
        "👍👍",
        ":+1:",
        "<b>",
        "<img src=x onerror=alert(1)>",
        " 👍",
        "1",
        "\u200d",
        "x" * 40,
        "🇫",
        "🏽",  # a skin tone alone is a part of an emoji, not one
    ],
)
async def test_anything_but_one_emoji_is_refused(client, ctx, ana, bob, events, emoji):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "hi")
    assert_error(await react(client, bob, message["id"], emoji), 422)
    assert_error(await unreact(client, bob, message["id"], emoji), 422)
    assert reaction_events(events, pair["id"]) == []
    assert await stored_counts(ctx, message["id"]) == (0, 0)


async def test_an_emoji_counts_as_its_fully_qualified_form(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, ana, team["id"], "hi")
    assert (await react(client, bob, message["id"], "\u2764")).status_code == 204  # ❤ bare
    assert (await react(client, cyd, message["id"], "\u2764\ufe0f")).status_code == 204
    assert await reactions_in_history(client, ana, message) == [
        {"emoji": "\u2764\ufe0f", "count": 2, "user_ids": [bob.id, cyd.id]}
    ]
    assert (await unreact(client, bob, message["id"], "\u2764\ufe0f")).status_code == 204
    assert (await unreact(client, cyd, message["id"], "\u2764")).status_code == 204
    assert await reactions_in_history(client, ana, message) == []


async def test_the_emoji_is_url_encoded_in_the_path(client, ana, bob):
    pair = await direct(client, ana, bob)
    message = await sent(client, ana, pair["id"], "hi")
    url = f"/api/messages/{message['id']}/reactions/%F0%9F%91%8D%F0%9F%8F%BD"
    assert (await client.put(url, headers=bob.headers)).status_code == 204
    assert (await reactions_in_history(client, ana, message))[0]["emoji"] == "👍🏽"
    # A NUL or broken UTF-8 in the path is a 422, never a 500.
    for raw in ("%00", "%F0%9F", "%ED%A0%80"):
        response = await client.put(
            f"/api/messages/{message['id']}/reactions/{raw}", headers=bob.headers
        )
        assert_error(response, 422)


# Who may react, to what


async def test_outsiders_do_not_see_the_message(client, ana, bob, cyd, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "private")
    assert_error(await react(client, cyd, message["id"], "👍"), 404)
    assert_error(await unreact(client, cyd, message["id"], "👍"), 404)
    assert_error(await react(client, cyd, 10**12, "👍"), 404)
    assert_error(await react(client, ana, 10**12, "👍"), 404)
    assert reaction_events(events, pair["id"]) == []
    assert (
        await client.put(f"/api/messages/{message['id']}/reactions/%F0%9F%91%8D")
    ).status_code == 401


async def test_a_public_group_needs_joining_first(client, ana, bob):
    lobby = await group(client, ana, public=True, name="Lobby")
    message = await sent(client, ana, lobby["id"], "welcome")
    assert_error(await react(client, bob, message["id"], "👋"), 403, "not_a_member")
    assert (
        await client.post(f"/api/chats/{lobby['id']}/join", headers=bob.headers)
    ).status_code == 200
    assert (await react(client, bob, message["id"], "👋")).status_code == 204
    left = await client.post(f"/api/chats/{lobby['id']}/leave", headers=bob.headers)
    assert left.status_code == 204
    assert_error(await unreact(client, bob, message["id"], "👋"), 403, "not_a_member")


async def test_deleted_and_system_messages_take_no_reactions(client, ctx, ana, bob):
    team = await group(client, ana, bob)
    [system, *_] = await history(client, ana, team["id"])
    assert system["kind"] == "system"
    assert_error(await react(client, bob, system["id"], "👍"), 422)

    message = await sent(client, ana, team["id"], "oops")
    assert (await react(client, bob, message["id"], "👍")).status_code == 204
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert await reactions_in_history(client, bob, message) == []
    assert_error(await react(client, bob, message["id"], "🎉"), 409, "message_deleted")
    assert_error(await unreact(client, bob, message["id"], "👍"), 409, "message_deleted")


# At the same moment (truly interleaved on PostgreSQL)


async def test_several_people_at_once(client, ctx, signup, ana, events):
    people = [await signup() for _ in range(6)]
    team = await group(client, ana, *people)
    await events.watch(team["id"])
    message = await sent(client, ana, team["id"], "vote")
    responses = await asyncio.gather(*(react(client, p, message["id"], "👍") for p in people))
    assert [r.status_code for r in responses] == [204] * len(people), [r.text for r in responses]
    [shown] = await reactions_in_history(client, ana, message)
    assert shown["count"] == len(people) and sorted(shown["user_ids"]) == sorted(
        p.id for p in people
    )
    assert len(reaction_events(events, team["id"])) == len(people)
    assert await stored_counts(ctx, message["id"]) == (len(people), len(people))


async def test_one_person_many_times_at_once(client, ctx, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "hi")
    responses = await asyncio.gather(*(react(client, bob, message["id"], "👍") for _ in range(8)))
    assert [r.status_code for r in responses] == [204] * 8, [r.text for r in responses]
    assert await reactions_in_history(client, ana, message) == [
        {"emoji": "👍", "count": 1, "user_ids": [bob.id]}
    ]
    assert [e["type"] for e in reaction_events(events, pair["id"])] == ["reaction.added"]
    assert await stored_counts(ctx, message["id"]) == (1, 1)

    responses = await asyncio.gather(*(unreact(client, bob, message["id"], "👍") for _ in range(8)))
    assert [r.status_code for r in responses] == [204] * 8, [r.text for r in responses]
    assert [e["type"] for e in reaction_events(events, pair["id"])] == [
        "reaction.added",
        "reaction.removed",
    ]
    assert await stored_counts(ctx, message["id"]) == (0, 0)
    assert (await react(client, ana, message["id"], "🎉")).status_code == 204
    assert await reactions_in_history(client, bob, message) == [
        {"emoji": "🎉", "count": 1, "user_ids": [ana.id]}
    ]

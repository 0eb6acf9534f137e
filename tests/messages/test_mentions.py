"""Mentions: `@name` of a member is highlighted, stored and notified; `@all` in groups (admins
only above 50 members); unread mention counts in my chats; edits notify only new names."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from chinwag.accounts.models import User
from chinwag.messages.mentions import EVERYONE_OPEN_UP_TO
from tests.messages.helpers import (
    delete,
    direct,
    edit,
    group,
    history,
    listed,
    read,
    same_message,
    send,
    sent,
)


def span(user_id: int, written: str) -> str:
    return f'<span class="mention" data-user-id="{user_id}">{written}</span>'


async def notified(events, *people) -> None:
    """Record what reaches the user channels of `people` from now on."""
    for person in people:
        await events.broker.subscribe(f"user:{person.id}")


def notifications(events) -> dict[int, list[dict]]:
    """user id -> the notification events their channel received, in order."""
    found: dict[int, list[dict]] = {}
    for channel, event in events.received:
        if channel.startswith("user:"):
            assert event["type"] == "notification", event
            found.setdefault(int(channel.removeprefix("user:")), []).append(event)
    return found


async def test_a_member_named_is_highlighted_stored_and_notified(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    await notified(events, ana, bob, cyd)

    message = await sent(client, ana, team["id"], "hi @bob, the build is green")

    assert message["mentions"] == [bob.id]
    assert message["html"] == f"<p>hi {span(bob.id, '@bob')}, the build is green</p>"
    [stored] = [m for m in await history(client, cyd, team["id"]) if m["id"] == message["id"]]
    assert stored["mentions"] == [bob.id] and stored["html"] == message["html"]
    assert list(notifications(events)) == [bob.id]
    [note] = notifications(events)[bob.id]
    assert set(note) == {"type", "chat_id", "message"} and note["chat_id"] == team["id"]
    assert same_message(note["message"], message)
    assert events.of("message.new", team["id"])[-1]["message"]["mentions"] == [bob.id]


async def test_names_are_case_insensitive_and_each_person_counts_once(
    client, ana, bob, cyd, events
):
    team = await group(client, ana, bob, cyd)
    await notified(events, bob, cyd)
    message = await sent(client, ana, team["id"], "@BOB and @Cyd (and @bob again). thanks @cyd.")
    assert message["mentions"] == sorted([bob.id, cyd.id])
    assert span(bob.id, "@BOB") in message["html"] and span(cyd.id, "@Cyd") in message["html"]
    assert f"thanks {span(cyd.id, '@cyd')}.</p>" in message["html"]
    assert {uid: len(notes) for uid, notes in notifications(events).items()} == {
        bob.id: 1,
        cyd.id: 1,
    }


@pytest.mark.parametrize(
    "text",
    [
        "ask @dan",  # registered, not a member
        "ask @nobody",  # no such person
        "`@bob` is a code span",
        "```\n@bob in a fenced block\n```",
        "code:\n\n    @bob indented",
        "mail bob@example.com or x@bob",
        "see https://example.com/@bob",
        "@@bob",
        "\\@bob escaped",
        "@" + "b" * 40,  # longer than any username: not the user named by its start
    ],
)
async def test_what_is_not_a_mention(client, signup, ana, bob, events, text):
    await signup("dan")
    team = await group(client, ana, bob, await signup("b" * 32))
    await notified(events, bob)
    message = await sent(client, ana, team["id"], text)
    assert message["mentions"] == []
    assert "mention" not in message["html"]
    assert notifications(events) == {}


async def test_i_am_not_notified_of_my_own_mention(client, ana, bob, events):
    team = await group(client, ana, bob)
    await notified(events, ana, bob)
    message = await sent(client, ana, team["id"], "note to @ana")
    assert message["mentions"] == []
    assert span(ana.id, "@ana") in message["html"]
    assert notifications(events) == {}
    assert (await listed(client, ana, team["id"]))["unread_mentions"] == 0


# @all


async def test_all_in_a_small_group_notifies_everyone_but_the_sender(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await notified(events, ana, bob, cyd)
    message = await sent(client, bob, team["id"], "@all standup in 5")
    assert message["mentions"] == sorted([ana.id, cyd.id])
    assert '<span class="mention mention-all">@all</span>' in message["html"]
    assert sorted(notifications(events)) == sorted([ana.id, cyd.id])


async def test_all_in_a_direct_chat_is_plain_text(client, ana, bob, events):
    pair = await direct(client, ana, bob)
    await notified(events, bob)
    message = await sent(client, ana, pair["id"], "@all hello")
    assert message["mentions"] == [] and message["html"] == "<p>@all hello</p>"
    assert notifications(events) == {}


async def _big_group(client, ctx, owner, *people) -> dict:
    """A group of exactly EVERYONE_OPEN_UP_TO + 1 members: `owner`, `people` and filler
    accounts inserted straight into the database (they never sign in)."""
    filler = EVERYONE_OPEN_UP_TO + 1 - 1 - len(people)
    rows = [
        {"email": f"f{i}@example.com", "username": f"filler{i}", "password_hash": "x"}
        for i in range(filler)
    ]
    ids = await ctx.db.write(lambda db: db.scalars(insert(User).returning(User.id), rows).all())
    response = await client.post(
        "/api/chats",
        headers=owner.headers,
        json={"name": "Big", "member_ids": [p.id for p in people] + list(ids)},
    )
    assert response.status_code == 201, response.text
    assert response.json()["member_count"] == EVERYONE_OPEN_UP_TO + 1
    return response.json()


async def test_all_above_50_members_is_for_admins(client, ctx, ana, bob, cyd, events):
    big = await _big_group(client, ctx, ana, bob, cyd)
    await notified(events, ana, bob, cyd)

    plain = await sent(client, bob, big["id"], "@all free pizza")
    assert plain["mentions"] == [] and plain["html"] == "<p>@all free pizza</p>"
    assert notifications(events) == {}

    loud = await sent(client, ana, big["id"], "@all release today")
    assert len(loud["mentions"]) == EVERYONE_OPEN_UP_TO and ana.id not in loud["mentions"]
    assert sorted(notifications(events)) == sorted([bob.id, cyd.id])

    promoted = await client.patch(
        f"/api/chats/{big['id']}/members/{bob.id}", headers=ana.headers, json={"role": "admin"}
    )
    assert promoted.status_code == 200, promoted.text
    by_admin = await sent(client, bob, big["id"], "@all again")
    assert len(by_admin["mentions"]) == EVERYONE_OPEN_UP_TO and bob.id not in by_admin["mentions"]
    assert [n["message"]["id"] for n in notifications(events)[cyd.id]] == [
        loud["id"],
        by_admin["id"],
    ]


async def test_all_at_exactly_50_members_is_for_anyone(client, ctx, ana, bob, cyd, events):
    big = await _big_group(client, ctx, ana, bob, cyd)
    left = await client.delete(f"/api/chats/{big['id']}/members/{cyd.id}", headers=ana.headers)
    assert left.status_code == 204, left.text
    await notified(events, ana, cyd)
    message = await sent(client, bob, big["id"], "@all hello")
    assert len(message["mentions"]) == EVERYONE_OPEN_UP_TO - 1 and cyd.id not in message["mentions"]
    assert list(notifications(events)) == [ana.id]


# Unread mentions


async def test_unread_mentions_count_until_read(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    first = await sent(client, ana, team["id"], "@bob one")
    second = await sent(client, cyd, team["id"], "@bob two")
    await sent(client, ana, team["id"], "nobody named")
    everyone = await sent(client, ana, team["id"], "@all three")
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 3
    assert (await listed(client, cyd, team["id"]))["unread_mentions"] == 1
    assert (await listed(client, ana, team["id"]))["unread_mentions"] == 0

    assert (await read(client, bob, team["id"], first["seq"])).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 2
    assert (await read(client, bob, team["id"], second["seq"])).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 1
    # Sending reads everything before it.
    await sent(client, bob, team["id"], "on it")
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 0
    assert (await listed(client, cyd, team["id"]))["unread_mentions"] == 1
    assert (await read(client, cyd, team["id"], everyone["seq"])).status_code == 204
    assert (await listed(client, cyd, team["id"]))["unread_mentions"] == 0


async def test_deleted_messages_do_not_count(client, ana, bob):
    team = await group(client, ana, bob)
    message = await sent(client, ana, team["id"], "@bob look")
    await sent(client, ana, team["id"], "@bob and this")
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 2
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 1


# Edits


async def test_an_edit_notifies_only_people_it_names_for_the_first_time(
    client, ana, bob, cyd, events
):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    message = await sent(client, ana, team["id"], "@bob hi")
    await notified(events, ana, bob, cyd)

    response = await edit(client, ana, message["id"], "@bob and @cyd hi")

    assert response.status_code == 200, response.text
    assert response.json()["mentions"] == sorted([bob.id, cyd.id])
    assert span(cyd.id, "@cyd") in response.json()["html"]
    assert list(notifications(events)) == [cyd.id]
    assert same_message(notifications(events)[cyd.id][0]["message"], response.json())
    updated = events.of("message.updated", team["id"])[-1]["message"]
    assert updated["mentions"] == sorted([bob.id, cyd.id])
    assert (await listed(client, cyd, team["id"]))["unread_mentions"] == 1


async def test_an_edit_that_drops_a_name_drops_the_mention(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, ana, team["id"], "@bob and @cyd")
    await notified(events, bob, cyd)
    response = await edit(client, ana, message["id"], "just @cyd")
    assert response.status_code == 200, response.text
    assert response.json()["mentions"] == [cyd.id]
    assert f'data-user-id="{bob.id}"' not in response.json()["html"]
    assert notifications(events) == {}
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 0
    assert (await listed(client, cyd, team["id"]))["unread_mentions"] == 1


async def test_a_repeated_send_notifies_once(client, ana, bob, events):
    team = await group(client, ana, bob)
    await notified(events, bob)
    first = await sent(client, ana, team["id"], "@bob ping", client_id="once")
    again = await send(client, ana, team["id"], "@bob ping", client_id="once")
    assert again.status_code == 200 and again.json()["mentions"] == [bob.id]
    assert [n["message"]["id"] for n in notifications(events)[bob.id]] == [first["id"]]
    assert (await listed(client, bob, team["id"]))["unread_mentions"] == 1

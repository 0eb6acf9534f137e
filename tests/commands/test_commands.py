"""Slash commands over REST (SQLite and PostgreSQL): /me and /shrug are messages; /topic,
/invite, /leave, /mute act through the panels' services, with their permissions; /help, an
unknown command and /remind answer the sender alone and store nothing; `//` escapes."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import chat, group, history, listed, send, sent


async def command(client, person, chat_id: int, text: str) -> dict:
    """A command that answers the sender: 200 and a command result."""
    response = await send(client, person, chat_id, text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"command", "ok", "text"}
    return body


async def texts(client, person, chat_id: int) -> list[tuple[str, str]]:
    return [(m["kind"], m["text"]) for m in await history(client, person, chat_id)]


async def test_me_is_an_emote(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])

    message = await sent(client, ana, team["id"], "/me waves :wave:")

    assert (message["kind"], message["text"]) == ("me", "waves 👋")
    assert message["html"] == "<p>waves 👋</p>"
    assert [e["message"]["kind"] for e in events.of("message.new", team["id"])] == ["me"]
    assert (await listed(client, bob, team["id"]))["unread"] >= 1
    assert (await history(client, bob, team["id"]))[-1]["kind"] == "me"


async def test_me_needs_a_text(client, ana, bob):
    team = await group(client, ana, bob)
    before = await texts(client, ana, team["id"])

    assert_error(await send(client, ana, team["id"], "/me"), 422, "validation_error")
    assert await texts(client, ana, team["id"]) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("/shrug", r"¯\\\_(ツ)\_/¯"), ("/shrug no idea", r"no idea ¯\\\_(ツ)\_/¯")],
)
async def test_shrug(client, ana, bob, typed, stored):
    team = await group(client, ana, bob)

    message = await sent(client, ana, team["id"], typed)

    assert (message["kind"], message["text"]) == ("text", stored)
    assert message["html"] == "<p>" + stored.replace("\\\\", "\\").replace("\\_", "_") + "</p>"
    assert message["html"].endswith(r"¯\_(ツ)_/¯</p>")


async def test_topic_sets_the_description_and_says_so(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])

    answer = await command(client, ana, team["id"], "/topic Ship on Friday")

    assert answer == {"command": "topic", "ok": True, "text": "The topic is now: Ship on Friday"}
    assert (await chat(client, bob, team["id"]))["description"] == "Ship on Friday"
    assert (await texts(client, bob, team["id"]))[-1] == (
        "system",
        '@ana set the topic to "Ship on Friday"',
    )
    assert [e["chat"]["description"] for e in events.of("chat.updated", team["id"])] == [
        "Ship on Friday"
    ]


async def test_a_member_may_not_set_the_topic(client, ana, bob):
    team = await group(client, ana, bob)
    before = await texts(client, ana, team["id"])

    assert_error(await send(client, bob, team["id"], "/topic mine now"), 403, "insufficient_role")

    assert (await chat(client, ana, team["id"]))["description"] == ""
    assert await texts(client, ana, team["id"]) == before


async def test_invite_adds_someone(client, ana, bob, cyd):
    team = await group(client, ana, bob)

    answer = await command(client, ana, team["id"], f"/invite @{cyd.username}")

    assert answer == {"command": "invite", "ok": True, "text": f"Added @{cyd.username}."}
    assert (await chat(client, cyd, team["id"]))["role"] == "member"
    again = await command(client, ana, team["id"], f"/invite {cyd.username}")
    assert again["text"] == "They are in this group already."


async def test_invite_is_for_admins_and_names_someone(client, ana, bob, cyd):
    team = await group(client, ana, bob)

    assert_error(await send(client, bob, team["id"], f"/invite @{cyd.username}"), 403)
    assert_error(await send(client, ana, team["id"], "/invite @nobody_here"), 404, "not_found")
    assert_error(await send(client, ana, team["id"], "/invite"), 422, "validation_error")
    response = await client.get(f"/api/chats/{team['id']}", headers=cyd.headers)
    assert response.status_code == 404


async def test_leave(client, ana, bob):
    team = await group(client, ana, bob)

    answer = await command(client, bob, team["id"], "/leave")

    assert answer == {"command": "leave", "ok": True, "text": "You left the group."}
    assert (await texts(client, ana, team["id"]))[-1] == ("system", f"@{bob.username} left")
    response = await client.get(f"/api/chats/{team['id']}/messages", headers=bob.headers)
    assert response.status_code == 404


async def test_mute_and_unmute(client, ana, bob):
    team = await group(client, ana, bob)

    muted = await command(client, bob, team["id"], "/mute")

    assert muted["command"] == "mute" and muted["ok"]
    assert (await listed(client, bob, team["id"]))["muted"] is True
    assert (await listed(client, ana, team["id"]))["muted"] is False
    unmuted = await command(client, bob, team["id"], "/unmute")
    assert unmuted["command"] == "unmute"
    assert (await listed(client, bob, team["id"]))["muted"] is False


@pytest.mark.parametrize(
    ("typed", "name", "ok"),
    [("/help", "help", True), ("/dance now", "dance", False), ("/remind me", "remind", False)],
)
async def test_answers_for_the_sender_alone_store_nothing(
    client, ana, bob, events, typed, name, ok
):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    before = await texts(client, ana, team["id"])

    answer = await command(client, ana, team["id"], typed)

    assert (answer["command"], answer["ok"]) == (name, ok)
    if name == "remind":
        assert answer["text"] == "Reminders are not available yet."
    else:
        assert "/shrug" in answer["text"] and "/topic" in answer["text"]
    assert await texts(client, ana, team["id"]) == before
    assert events.of("message.new", team["id"]) == []


async def test_a_command_outside_the_chat_is_refused(client, ana, bob, cyd):
    team = await group(client, ana, bob)

    assert_error(await send(client, cyd, team["id"], "/help"), 404)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("//me is a command", "/me is a command"), ("/usr/bin is a path", "/usr/bin is a path")],
)
async def test_a_slash_that_is_no_command_is_sent(client, ana, bob, typed, stored):
    team = await group(client, ana, bob)

    message = await sent(client, ana, team["id"], typed)

    assert (message["kind"], message["text"]) == ("text", stored)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (":wave: hi :+1: :thumbsup:", "👋 hi 👍 👍"),
        ("see `:wave:` and :rocket:", "see `:wave:` and 🚀"),
        ("```\n:wave:\n```", "```\n:wave:\n```"),
        ("at 12:30:45 sharp", "at 12:30:45 sharp"),
        (":notanemoji: stays", ":notanemoji: stays"),
    ],
)
async def test_shortcodes_become_emoji_outside_code(client, ana, bob, typed, stored):
    team = await group(client, ana, bob)

    message = await sent(client, ana, team["id"], typed)

    assert message["text"] == stored
    assert (await history(client, bob, team["id"]))[-1]["text"] == stored

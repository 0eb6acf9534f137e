"""Slash commands over /ws (SQLite and PostgreSQL): a command's answer is a command.result
frame to the sending socket alone; /me and /shrug are acked messages like any other; a
refused command is an error frame with the send's client_id."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import barrier, call, events_of, history, new_group, of_type


@pytest.fixture
async def team(people, http, connect):
    """ana (owner) and bob in "Team", cyd outside; each with a socket open."""
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob)
    sockets = [await connect(p) for p in (ana, bob)]
    return (ana, bob, cyd), chat, sockets


def send_frame(chat_id: int, text: str, client_id: str) -> dict:
    return {"type": "message.send", "chat_id": chat_id, "text": text, "client_id": client_id}


async def test_help_answers_this_socket_only_and_stores_nothing(team, http):
    (ana, _, _), chat, (ana_s, bob_s) = team
    before = await history(http, ana, chat["id"])

    await ana_s.frame(send_frame(chat["id"], "/help", "h-1"))

    result = await ana_s.wait_for(of_type("command.result", client_id="h-1"))
    assert result["command"] == "help" and result["ok"] is True
    assert "/me" in result["text"]
    await barrier(bob_s)
    await barrier(ana_s)
    assert events_of(bob_s, "command.result") == []
    assert events_of(ana_s, "ack") == [] and events_of(ana_s, "message.new") == []
    assert await history(http, ana, chat["id"]) == before


async def test_unknown_and_remind_answer_not_ok(team):
    _, chat, (ana_s, _) = team

    await ana_s.frame(send_frame(chat["id"], "/dance", "u-1"))
    await ana_s.frame(send_frame(chat["id"], "/remind me tomorrow", "u-2"))

    unknown = await ana_s.wait_for(of_type("command.result", client_id="u-1"))
    remind = await ana_s.wait_for(of_type("command.result", client_id="u-2"))
    assert (unknown["command"], unknown["ok"]) == ("dance", False)
    assert remind == {
        "type": "command.result",
        "client_id": "u-2",
        "command": "remind",
        "ok": False,
        "text": "Reminders are not available yet.",
    }


async def test_me_and_shrug_are_messages(team):
    (ana, _, _), chat, (ana_s, bob_s) = team

    await ana_s.frame(send_frame(chat["id"], "/me waves :wave:", "m-1"))
    await ana_s.frame(send_frame(chat["id"], "/shrug", "m-2"))

    me = (await ana_s.wait_for(of_type("ack", client_id="m-1")))["message"]
    shrug = (await ana_s.wait_for(of_type("ack", client_id="m-2")))["message"]
    assert (me["kind"], me["text"], me["sender_id"]) == ("me", "waves 👋", ana.id)
    assert (shrug["kind"], shrug["text"]) == ("text", r"¯\\\_(ツ)\_/¯")
    new = await bob_s.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["kind"] == "me"
    )
    assert new["message"]["id"] == me["id"]


async def test_a_refused_command_is_an_error_frame(team, http):
    (_, bob, _), chat, (_, bob_s) = team

    await bob_s.frame(send_frame(chat["id"], "/topic mine", "t-1"))

    error = await bob_s.wait_for(of_type("error", client_id="t-1"))
    assert error["code"] == "insufficient_role"
    seen = await call(http, bob, "GET", f"/api/chats/{chat['id']}")
    assert seen["description"] == ""


async def test_topic_invite_mute_and_leave(team, http, connect):
    (ana, bob, cyd), chat, (ana_s, bob_s) = team
    cyd_s = await connect(cyd)

    await ana_s.frame(send_frame(chat["id"], "/topic Friday", "a-1"))
    topic = await ana_s.wait_for(of_type("command.result", client_id="a-1"))
    assert topic["command"] == "topic"
    updated = await bob_s.wait_for(of_type("chat.updated"))
    assert updated["chat"]["description"] == "Friday"

    await ana_s.frame(send_frame(chat["id"], f"/invite @{cyd.username}", "a-2"))
    assert (await ana_s.wait_for(of_type("command.result", client_id="a-2")))["ok"]
    created = await cyd_s.wait_for(of_type("chat.created"))
    assert created["chat"]["id"] == chat["id"]

    await bob_s.frame(send_frame(chat["id"], "/mute", "b-1"))
    assert (await bob_s.wait_for(of_type("command.result", client_id="b-1")))["command"] == "mute"
    listed = await call(http, bob, "GET", "/api/chats")
    assert [c["muted"] for c in listed if c["id"] == chat["id"]] == [True]

    await bob_s.frame(send_frame(chat["id"], "/leave", "b-2"))
    assert (await bob_s.wait_for(of_type("command.result", client_id="b-2")))["command"] == "leave"
    left = await ana_s.wait_for(of_type("member.left", user_id=bob.id))
    assert left["chat_id"] == chat["id"]

"""Replies: a message quotes another of the same chat as `reply_to: {id, sender_id, snippet}`,
in the answer to the send, in history and in events; the snippet follows edits and deletes."""

from __future__ import annotations

import pytest

from chinwag.messages.views import SNIPPET_CHARS
from tests.conftest import assert_error
from tests.messages.helpers import (
    chat,
    delete,
    direct,
    edit,
    group,
    history,
    listed,
    send,
    sent,
)


async def shown(client, person, message: dict) -> dict:
    """`message` as history shows it to `person`."""
    [found] = [
        m for m in await history(client, person, message["chat_id"]) if m["id"] == message["id"]
    ]
    return found


async def test_a_reply_quotes_its_author_and_text(client, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    original = await sent(client, ana, pair["id"], "deploy **now**?")

    reply = await sent(client, bob, pair["id"], "yes", reply_to=original["id"])

    quote = {
        "id": original["id"],
        "seq": original["seq"],
        "sender_id": ana.id,
        "snippet": "deploy **now**?",
    }
    assert reply["reply_to"] == quote
    assert (await shown(client, ana, reply))["reply_to"] == quote
    assert (await shown(client, ana, original))["reply_to"] is None
    assert events.of("message.new", pair["id"])[-1]["message"]["reply_to"] == quote
    assert (await listed(client, ana, pair["id"]))["last_message"]["reply_to"] == quote


async def test_a_long_text_is_quoted_by_its_start_on_one_line(client, ana, bob):
    pair = await direct(client, ana, bob)
    text = "first line\n\n" + " ".join(f"word{i}" for i in range(100))
    original = await sent(client, ana, pair["id"], text)
    reply = await sent(client, bob, pair["id"], "tl;dr?", reply_to=original["id"])
    snippet = reply["reply_to"]["snippet"]
    assert len(snippet) == SNIPPET_CHARS and snippet.endswith("…")
    assert snippet == " ".join(text.split())[: SNIPPET_CHARS - 1] + "…"
    assert (await shown(client, bob, reply))["reply_to"]["snippet"] == snippet

    exact = await sent(client, ana, pair["id"], "x" * SNIPPET_CHARS)
    reply = await sent(client, bob, pair["id"], "ok", reply_to=exact["id"])
    assert reply["reply_to"]["snippet"] == "x" * SNIPPET_CHARS


async def test_the_quote_follows_edits_and_deletes(client, ana, bob):
    pair = await direct(client, ana, bob)
    original = await sent(client, ana, pair["id"], "meet at 3")
    reply = await sent(client, bob, pair["id"], "ok", reply_to=original["id"])

    assert (await edit(client, ana, original["id"], "meet at 4")).status_code == 200
    assert (await shown(client, bob, reply))["reply_to"]["snippet"] == "meet at 4"

    assert (await delete(client, ana, original["id"])).status_code == 204
    assert (await shown(client, bob, reply))["reply_to"] == {
        "id": original["id"],
        "seq": original["seq"],
        "sender_id": ana.id,
        "snippet": None,
    }
    # A reply to a message already deleted quotes nothing of its text either.
    late = await sent(client, bob, pair["id"], "what was it?", reply_to=original["id"])
    assert late["reply_to"] == {
        "id": original["id"],
        "seq": original["seq"],
        "sender_id": ana.id,
        "snippet": None,
    }


async def test_deleting_the_reply_keeps_the_original(client, ana, bob):
    pair = await direct(client, ana, bob)
    original = await sent(client, ana, pair["id"], "question")
    reply = await sent(client, bob, pair["id"], "answer", reply_to=original["id"])
    assert (await delete(client, bob, reply["id"])).status_code == 204
    assert (await shown(client, ana, original))["text"] == "question"
    assert (await shown(client, ana, reply))["deleted"] is True


async def test_a_system_message_can_be_quoted(client, ana, bob):
    team = await group(client, ana, bob)
    [system, *_] = await history(client, ana, team["id"])
    reply = await sent(client, bob, team["id"], "hi all", reply_to=system["id"])
    assert reply["reply_to"] == {
        "id": system["id"],
        "seq": system["seq"],
        "sender_id": None,
        "snippet": system["text"],
    }


async def test_only_messages_of_the_same_chat(client, ana, bob, cyd, events):
    pair = await direct(client, ana, bob)
    mine_elsewhere = await direct(client, ana, cyd)
    theirs = await direct(client, bob, cyd)
    await events.watch(pair["id"])
    in_mine = await sent(client, ana, mine_elsewhere["id"], "elsewhere")
    in_theirs = await sent(client, bob, theirs["id"], "not for ana")
    before = (await chat(client, ana, pair["id"]))["last_seq"]

    for target in (in_mine["id"], in_theirs["id"], 10**12):
        error = assert_error(await send(client, ana, pair["id"], "re", reply_to=target), 422)
        # Someone else's chat answers exactly like a message that doesn't exist.
        assert "not for ana" not in error["message"]

    assert (await chat(client, ana, pair["id"]))["last_seq"] == before
    assert events.of("message.new", pair["id"]) == []


@pytest.mark.parametrize("reply_to", [0, -1, "x", 2**63, 1.5])
async def test_reply_to_must_be_a_message_id(client, ana, bob, reply_to):
    pair = await direct(client, ana, bob)
    await sent(client, ana, pair["id"], "one")
    assert_error(await send(client, ana, pair["id"], "re", reply_to=reply_to), 422)
    assert (await chat(client, ana, pair["id"]))["last_seq"] == 1


async def test_a_repeated_send_answers_the_first_reply(client, ana, bob):
    pair = await direct(client, ana, bob)
    original = await sent(client, ana, pair["id"], "q")
    first = await sent(client, bob, pair["id"], "a", reply_to=original["id"], client_id="r1")
    again = await send(client, bob, pair["id"], "a", reply_to=original["id"], client_id="r1")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["reply_to"] == first["reply_to"]

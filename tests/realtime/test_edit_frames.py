"""`message.edit` over the socket: it edits as PATCH /api/messages/{id} does, keeping the
version it replaces in the edit history, and tells the chat with `message.updated`."""

from __future__ import annotations

import pytest

from tests.realtime.helpers import barrier, call, events_of, new_group, of_type


@pytest.fixture
async def team(people, http, connect):
    """ana (owner) and bob in "Team", cyd outside; ana and bob with a socket open."""
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob)
    return (ana, bob, cyd), chat, (await connect(ana), await connect(bob))


def updated(message_id: int, text: str):
    return lambda e: (
        e["type"] == "message.updated"
        and e["message"]["id"] == message_id
        and e["message"]["text"] == text
    )


async def test_an_edit_frame_edits_and_keeps_the_earlier_version(team, http):
    (ana, bob, _), chat, (ana_s, bob_s) = team
    message = await ana_s.send(chat["id"], "see you at 5")

    await ana_s.frame({"type": "message.edit", "message_id": message["id"], "text": "at 6"})

    for device in (ana_s, bob_s):
        event = await device.wait_for(updated(message["id"], "at 6"))
        assert event["message"]["edited_at"] is not None
    versions = await call(http, bob, "GET", f"/api/messages/{message['id']}/edits")
    assert [(v["text"], v["current"]) for v in versions] == [
        ("at 6", True),
        ("see you at 5", False),
    ]
    assert versions[1]["replaced_by"] == ana.id


async def test_a_refused_edit_frame_is_an_error_naming_the_message(team, http):
    (ana, bob, _), chat, (ana_s, bob_s) = team
    message = await ana_s.send(chat["id"], "mine")

    await bob_s.frame({"type": "message.edit", "message_id": message["id"], "text": "yours"})
    refused = await bob_s.wait_for(of_type("error", message_id=message["id"]))
    assert refused["code"] == "not_sender"
    await bob_s.frame({"type": "message.edit", "message_id": message["id"]})
    invalid = await bob_s.wait_for(of_type("error", code="validation_error"))
    assert "text" in invalid["message"]

    await barrier(ana_s)
    assert events_of(ana_s, "message.updated") == []
    versions = await call(http, ana, "GET", f"/api/messages/{message['id']}/edits")
    assert [v["text"] for v in versions] == ["mine"]


async def test_chinwag_client_edits_and_says_why_it_was_refused(team, http):
    from chinwag.client import ChinwagAPIError

    (ana, _, _), chat, (ana_s, bob_s) = team
    message = await ana_s.send(chat["id"], "one")
    assert (await ana_s.edit(message["id"], "two"))["text"] == "two"
    assert (await ana_s.edit(message["id"], "three"))["text"] == "three"
    with pytest.raises(ChinwagAPIError) as refused:
        await bob_s.edit(message["id"], "four")
    assert refused.value.code == "not_sender"
    versions = await call(http, ana, "GET", f"/api/messages/{message['id']}/edits")
    assert [v["text"] for v in versions] == ["three", "two", "one"]

"""Editing (the sender only) and deleting (the sender or a group admin) messages."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import (
    MESSAGE_KEYS,
    chat,
    delete,
    direct,
    edit,
    group,
    history,
    listed,
    same_message,
    sent,
)


async def _member_role(client, owner, chat_id, person, role):
    response = await client.patch(
        f"/api/chats/{chat_id}/members/{person.id}", headers=owner.headers, json={"role": role}
    )
    assert response.status_code == 200, response.text


# Editing


async def test_sender_edits_own_message(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    original = await sent(client, bob, team["id"], "helo", client_id="e1")

    response = await edit(client, bob, original["id"], "  hello  ")

    assert response.status_code == 200, response.text
    edited = response.json()
    assert set(edited) == MESSAGE_KEYS
    assert edited["text"] == "hello"
    assert edited["edited_at"] is not None
    assert datetime.fromisoformat(edited["edited_at"]) >= datetime.fromisoformat(
        edited["created_at"]
    )
    unchanged = (
        "id",
        "seq",
        "chat_id",
        "sender_id",
        "kind",
        "client_id",
        "created_at",
        "reply_to",
        "deleted",
    )
    assert {k: edited[k] for k in unchanged} == {k: original[k] for k in unchanged}
    assert (await history(client, ana, team["id"]))[-1] == edited
    published = events.of("message.updated", team["id"])
    assert len(published) == 1
    assert set(published[0]) == {"type", "message"}
    assert same_message(published[0]["message"], edited)


async def test_edit_stores_nothing_new(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "one")
    assert (await edit(client, ana, message["id"], "two")).status_code == 200
    assert (await edit(client, ana, message["id"], "three")).status_code == 200
    assert [(m["seq"], m["text"]) for m in await history(client, bob, chat_["id"])] == [
        (1, "three")
    ]
    assert (await chat(client, ana, chat_["id"]))["last_seq"] == 1
    assert (await listed(client, bob, chat_["id"]))["last_message"]["text"] == "three"


async def test_others_cannot_edit(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await _member_role(client, ana, team["id"], cyd, "admin")
    await events.watch(team["id"])
    message = await sent(client, bob, team["id"], "mine")
    for other in (ana, cyd):  # the owner and an admin: editing is for the sender only
        assert_error(await edit(client, other, message["id"], "theirs"), 403, "not_sender")
    assert (await history(client, bob, team["id"]))[-1]["text"] == "mine"
    assert events.of("message.updated") == []


async def test_system_messages_cannot_be_edited(client, ana, bob):
    team = await group(client, ana, bob)
    system = (await history(client, ana, team["id"]))[0]
    assert system["kind"] == "system"
    assert_error(await edit(client, ana, system["id"], "rewritten"), 403)
    assert (await history(client, ana, team["id"]))[0] == system


async def test_deleted_message_cannot_be_edited(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "soon gone")
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert_error(await edit(client, ana, message["id"], "back"), 409, "message_deleted")
    stored = (await history(client, ana, chat_["id"]))[0]
    assert stored["deleted"] is True and stored["text"] is None


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_edit_text_follows_the_send_rules(client, ana, bob, text):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "keep")
    assert_error(await edit(client, ana, message["id"], text), 422, "validation_error")
    stored = (await history(client, ana, chat_["id"]))[0]
    assert stored["text"] == "keep" and stored["edited_at"] is None


@pytest.mark.parametrize("raw", [b'{"text": "a\\u0000"}', b'{"text": "a\\udc00"}', b"{}"])
async def test_edit_refuses_unstorable_or_missing_text(client, ana, bob, raw):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "keep")
    response = await client.patch(
        f"/api/messages/{message['id']}",
        content=raw,
        headers={**ana.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 422, "validation_error")
    assert (await history(client, ana, chat_["id"]))[0]["text"] == "keep"


async def test_edit_of_unknown_message_is_404(client, ana):
    assert_error(await edit(client, ana, 987_654, "x"), 404, "not_found")
    assert_error(await edit(client, ana, 0, "x"), 422)


async def test_edit_in_a_private_chat_i_am_not_in_is_404(client, ana, bob, cyd):
    for chat_ in (await direct(client, ana, bob), await group(client, ana, bob)):
        message = await sent(client, ana, chat_["id"], "private")
        assert_error(await edit(client, cyd, message["id"], "hacked"), 404, "not_found")
        assert_error(await delete(client, cyd, message["id"]), 404, "not_found")
        assert (await history(client, ana, chat_["id"]))[-1]["text"] == "private"


async def test_edit_in_a_public_group_i_am_not_in_is_403(client, ana, bob):
    lobby = await group(client, ana, public=True, name="Lobby")
    message = await sent(client, ana, lobby["id"], "open")
    assert_error(await edit(client, bob, message["id"], "hacked"), 403)
    assert_error(await delete(client, bob, message["id"]), 403)
    stored = (await history(client, ana, lobby["id"]))[-1]
    assert stored["text"] == "open" and stored["deleted"] is False


async def test_edit_after_leaving_is_refused(client, ana, bob):
    team = await group(client, ana, bob)
    message = await sent(client, bob, team["id"], "before leaving")
    assert (
        await client.post(f"/api/chats/{team['id']}/leave", headers=bob.headers)
    ).status_code == 204
    assert_error(await edit(client, bob, message["id"], "after"), 404)
    assert_error(await delete(client, bob, message["id"]), 404)
    assert (await history(client, ana, team["id"]))[-2]["text"] == "before leaving"


# Deleting


async def test_sender_deletes_own_message_leaving_a_tombstone(client, ana, bob, events):
    team = await group(client, ana, bob)
    await events.watch(team["id"])
    message = await sent(client, bob, team["id"], "regret")
    last_seq = (await chat(client, ana, team["id"]))["last_seq"]

    response = await delete(client, bob, message["id"])

    assert response.status_code == 204 and response.content == b""
    stored = [m for m in await history(client, ana, team["id"]) if m["id"] == message["id"]]
    assert len(stored) == 1
    assert stored[0]["deleted"] is True
    assert stored[0]["text"] is None
    assert stored[0]["seq"] == message["seq"]
    assert stored[0]["sender_id"] == bob.id
    assert (await chat(client, ana, team["id"]))["last_seq"] == last_seq
    assert events.of("message.deleted", team["id"]) == [
        {
            "type": "message.deleted",
            "chat_id": team["id"],
            "message_id": message["id"],
            "seq": message["seq"],
        }
    ]


async def test_seq_after_a_deletion_continues(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    first = await sent(client, ana, chat_["id"], "1")
    assert (await delete(client, ana, first["id"])).status_code == 204
    second = await sent(client, ana, chat_["id"], "2")
    assert second["seq"] == 2
    assert [(m["seq"], m["deleted"]) for m in await history(client, bob, chat_["id"])] == [
        (1, True),
        (2, False),
    ]


@pytest.mark.parametrize("role", ["owner", "admin"])
async def test_group_admins_delete_anyones_message(client, ana, bob, cyd, events, role):
    team = await group(client, ana, bob, cyd)
    if role == "admin":
        await _member_role(client, ana, team["id"], cyd, "admin")
    moderator = ana if role == "owner" else cyd
    await events.watch(team["id"])
    message = await sent(client, bob, team["id"], "spam")

    assert (await delete(client, moderator, message["id"])).status_code == 204

    stored = (await history(client, bob, team["id"]))[-1]
    assert (stored["id"], stored["deleted"], stored["text"]) == (message["id"], True, None)
    assert [e["message_id"] for e in events.of("message.deleted", team["id"])] == [message["id"]]


async def test_plain_member_cannot_delete_others_messages(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    owners = await sent(client, ana, team["id"], "from the owner")
    peers = await sent(client, bob, team["id"], "from a peer")
    for message in (owners, peers):
        assert_error(await delete(client, cyd, message["id"]), 403, "not_sender")
    assert [
        m["deleted"] for m in await history(client, ana, team["id"], after=owners["seq"] - 1)
    ] == [False, False]
    assert events.of("message.deleted") == []


async def test_demoted_admin_can_no_longer_delete_others(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    await _member_role(client, ana, team["id"], cyd, "admin")
    await _member_role(client, ana, team["id"], cyd, "member")
    message = await sent(client, bob, team["id"], "safe")
    assert_error(await delete(client, cyd, message["id"]), 403, "not_sender")


async def test_in_a_direct_chat_only_the_sender_deletes(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "mine")
    assert_error(await delete(client, bob, message["id"]), 403, "not_sender")
    assert (await history(client, ana, chat_["id"]))[0]["deleted"] is False
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert (await history(client, bob, chat_["id"]))[0]["deleted"] is True


async def test_deleting_twice_changes_nothing_more(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    message = await sent(client, ana, chat_["id"], "gone")
    assert (await delete(client, ana, message["id"])).status_code == 204
    first = await history(client, ana, chat_["id"])
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert await history(client, ana, chat_["id"]) == first
    assert len(events.of("message.deleted", chat_["id"])) == 1


async def test_delete_of_unknown_message_is_404(client, ana):
    assert_error(await delete(client, ana, 987_654), 404, "not_found")
    assert_error(await delete(client, ana, 2**63), 422)


async def test_deleted_message_shows_as_deleted_last_message(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "last words")
    assert (await delete(client, ana, message["id"])).status_code == 204
    last = (await listed(client, bob, chat_["id"]))["last_message"]
    assert (last["id"], last["deleted"], last["text"]) == (message["id"], True, None)

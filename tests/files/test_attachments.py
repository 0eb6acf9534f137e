"""Files on messages: attachment_ids on a REST send, in history and in message.new."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.files.helpers import image_bytes, uploaded
from tests.messages.helpers import EventLog, direct, group, history, same_message, send, sent


@pytest.fixture
def events(ctx) -> EventLog:
    return EventLog(ctx.broker)


async def test_a_message_carries_its_files_in_order(client, ana, bob, events):
    chat = await direct(client, ana, bob)
    await events.watch(chat["id"])
    photo = await uploaded(client, ana, image_bytes("PNG"), "p.png", "image/png")
    doc = await uploaded(client, ana, b"%PDF-1.4 ...", "doc.pdf", "application/pdf")

    message = await sent(client, ana, chat["id"], "", attachment_ids=[doc["id"], photo["id"]])

    assert message["text"] == ""
    assert message["attachments"] == [doc, photo]
    [stored] = await history(client, bob, chat["id"])
    assert stored["attachments"] == [doc, photo]
    [event] = events.of("message.new", chat["id"])
    assert same_message(event["message"], message)


async def test_a_file_named_twice_is_attached_once(client, ana, bob):
    chat = await direct(client, ana, bob)
    doc = await uploaded(client, ana, b"data")

    message = await sent(client, ana, chat["id"], "x", attachment_ids=[doc["id"], doc["id"]])

    assert message["attachments"] == [doc]


async def test_ten_files_may_be_attached_but_not_eleven(client, ana, bob):
    chat = await direct(client, ana, bob)
    files = [await uploaded(client, ana, bytes([i]) * 10) for i in range(11)]
    ids = [f["id"] for f in files]

    refused = await send(client, ana, chat["id"], "many", attachment_ids=ids)
    accepted = await sent(client, ana, chat["id"], "ten", attachment_ids=ids[:10])

    assert_error(refused, 422, "validation_error")
    assert [f["id"] for f in accepted["attachments"]] == ids[:10]


async def test_only_files_the_sender_uploaded_can_be_attached(client, ana, bob):
    team = await group(client, ana, bob)
    mine = await uploaded(client, ana, b"mine")
    theirs = await uploaded(client, bob, b"theirs")

    for ids in ([theirs["id"]], [mine["id"], theirs["id"]], [999999]):
        response = await send(client, ana, team["id"], "x", attachment_ids=ids)
        assert "attachment_ids" in assert_error(response, 422, "validation_error")["message"]
    assert [m for m in await history(client, bob, team["id"]) if m["kind"] == "text"] == []


@pytest.mark.parametrize("ids", [[0], [-1], ["a"], [2**63], "1"])
async def test_malformed_attachment_ids_are_422(client, ana, bob, ids):
    chat = await direct(client, ana, bob)

    assert_error(await send(client, ana, chat["id"], "x", attachment_ids=ids), 422)


async def test_without_files_a_message_still_needs_text(client, ana, bob):
    chat = await direct(client, ana, bob)

    assert_error(await send(client, ana, chat["id"], "  ", attachment_ids=[]), 422)


async def test_sharing_a_file_again_in_another_chat_is_allowed(client, ana, bob, cyd):
    doc = await uploaded(client, ana, b"shared twice")
    one = await direct(client, ana, bob)
    two = await direct(client, ana, cyd)

    await sent(client, ana, one["id"], "a", attachment_ids=[doc["id"]])
    await sent(client, ana, two["id"], "b", attachment_ids=[doc["id"]])

    for person in (bob, cyd):
        assert (await client.get(doc["url"], headers=person.headers)).content == b"shared twice"


async def test_a_deleted_message_shows_no_files(client, ana, bob):
    chat = await direct(client, ana, bob)
    doc = await uploaded(client, ana, b"gone")
    message = await sent(client, ana, chat["id"], "a", attachment_ids=[doc["id"]])

    await client.delete(f"/api/messages/{message['id']}", headers=ana.headers)

    [shown] = await history(client, bob, chat["id"])
    assert shown["deleted"] is True and shown["attachments"] == []

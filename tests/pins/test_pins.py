"""Pins: group admins pin, members can't, either person of a direct chat can; the chat's
pins listed newest first, shown in history, told to the chat, capped, gone with their message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chinwag.pins import service as pins_service
from chinwag.pins.models import Pin
from tests.conftest import assert_error
from tests.messages.helpers import EventLog, delete, direct, group, history, sent


@pytest.fixture
def events(ctx) -> EventLog:
    return EventLog(ctx.broker)


def pin(client, person, message_id: int):
    return client.put(f"/api/messages/{message_id}/pin", headers=person.headers)


def unpin(client, person, message_id: int):
    return client.delete(f"/api/messages/{message_id}/pin", headers=person.headers)


async def pins(client, person, chat_id: int) -> list[dict]:
    response = await client.get(f"/api/chats/{chat_id}/pins", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def pinned_flag(client, person, message: dict) -> bool:
    [found] = [
        m for m in await history(client, person, message["chat_id"]) if m["id"] == message["id"]
    ]
    return found["pinned"]


async def test_an_admin_pins_and_every_member_sees_it(client, ana, bob, cyd, events):
    team = await group(client, ana, bob, cyd)
    await events.watch(team["id"])
    first = await sent(client, bob, team["id"], "the plan")
    second = await sent(client, cyd, team["id"], "the date")

    assert (await pin(client, ana, first["id"])).status_code == 204
    assert (await pin(client, ana, second["id"])).status_code == 204

    listed = await pins(client, cyd, team["id"])
    assert [p["message"]["id"] for p in listed] == [second["id"], first["id"]]  # newest first
    assert listed[0]["pinned_by"] == ana.id and listed[0]["pinned_at"]
    assert listed[0]["message"]["text"] == "the date" and listed[0]["message"]["pinned"] is True
    assert await pinned_flag(client, bob, first) is True
    [event, _] = events.of("message.pinned", team["id"])
    assert event == {
        "type": "message.pinned",
        "chat_id": team["id"],
        "message_id": first["id"],
        "pinned_by": ana.id,
        "pinned_at": event["pinned_at"],
    }


async def test_a_member_of_a_group_may_not_pin(client, ana, bob):
    team = await group(client, ana, bob)
    message = await sent(client, bob, team["id"], "mine")

    assert_error(await pin(client, bob, message["id"]), 403, "insufficient_role")
    assert await pins(client, bob, team["id"]) == []
    assert (await pin(client, ana, message["id"])).status_code == 204
    assert_error(await unpin(client, bob, message["id"]), 403, "insufficient_role")


async def test_either_person_of_a_direct_chat_pins_and_unpins(client, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "address: 1 Main St")

    assert (await pin(client, bob, message["id"])).status_code == 204
    assert (await pin(client, bob, message["id"])).status_code == 204  # again: no change
    assert len(events.of("message.pinned", pair["id"])) == 1
    assert [p["message"]["id"] for p in await pins(client, ana, pair["id"])] == [message["id"]]

    assert (await unpin(client, ana, message["id"])).status_code == 204
    assert await pins(client, bob, pair["id"]) == []
    assert await pinned_flag(client, ana, message) is False
    assert events.of("message.unpinned", pair["id"]) == [
        {
            "type": "message.unpinned",
            "chat_id": pair["id"],
            "message_id": message["id"],
            "pinned_by": bob.id,
            "unpinned_by": ana.id,
        }
    ]
    assert (await unpin(client, ana, message["id"])).status_code == 204  # not pinned: nothing
    assert len(events.of("message.unpinned", pair["id"])) == 1


async def test_outsiders_and_unknown_messages_get_404(client, ana, bob, cyd):
    team = await group(client, ana, bob)
    message = await sent(client, bob, team["id"], "inside")

    assert_error(await pin(client, cyd, message["id"]), 404, "not_found")
    assert_error(await pin(client, ana, 10**9), 404, "not_found")
    assert_error(await unpin(client, ana, 10**9), 404, "not_found")
    response = await client.get(f"/api/chats/{team['id']}/pins", headers=cyd.headers)
    assert_error(response, 404, "not_found")
    assert_error(await client.put("/api/messages/0/pin", headers=ana.headers), 422)
    assert_error(await client.put("/api/messages/abc/pin", headers=ana.headers), 422)


async def test_system_lines_and_deleted_messages_are_not_pinned(client, ana, bob):
    team = await group(client, ana, bob)
    [system_line] = [m for m in await history(client, ana, team["id"]) if m["kind"] == "system"][:1]
    assert_error(await pin(client, ana, system_line["id"]), 422)
    message = await sent(client, bob, team["id"], "soon gone")
    assert (await delete(client, bob, message["id"])).status_code == 204
    assert_error(await pin(client, ana, message["id"]), 409, "message_deleted")


async def test_deleting_a_message_removes_its_pin(client, ctx, ana, bob):
    team = await group(client, ana, bob)
    message = await sent(client, bob, team["id"], "pinned, then deleted")
    assert (await pin(client, ana, message["id"])).status_code == 204

    assert (await delete(client, bob, message["id"])).status_code == 204

    assert await pins(client, ana, team["id"]) == []
    rows = await ctx.db.read(lambda db: db.scalar(select(func.count()).select_from(Pin)))
    assert rows == 0


async def test_a_chat_keeps_at_most_max_pins(client, ana, bob, monkeypatch):
    monkeypatch.setattr(pins_service, "MAX_PINS", 2)  # the cap itself, not 100 sends
    pair = await direct(client, ana, bob)
    messages = [await sent(client, ana, pair["id"], f"m{i}") for i in range(3)]
    for message in messages[:2]:
        assert (await pin(client, ana, message["id"])).status_code == 204

    body = assert_error(await pin(client, bob, messages[2]["id"]), 409, "too_many_pins")

    assert body["max_pins"] == 2
    assert (await pin(client, ana, messages[0]["id"])).status_code == 204  # pinned: no change
    assert (await unpin(client, ana, messages[0]["id"])).status_code == 204
    assert (await pin(client, bob, messages[2]["id"])).status_code == 204
    assert len(await pins(client, ana, pair["id"])) == 2


async def test_the_chat_list_says_whether_the_last_message_is_pinned(client, ana, bob):
    pair = await direct(client, ana, bob)
    message = await sent(client, bob, pair["id"], "latest and pinned")
    assert (await pin(client, ana, message["id"])).status_code == 204

    response = await client.get("/api/chats", headers=ana.headers)

    [listed] = [c for c in response.json() if c["id"] == pair["id"]]
    assert listed["last_message"]["id"] == message["id"]
    assert listed["last_message"]["pinned"] is True


async def test_an_edit_of_a_pinned_message_says_it_is_pinned(client, ana, bob, events):
    pair = await direct(client, ana, bob)
    await events.watch(pair["id"])
    message = await sent(client, ana, pair["id"], "typo")
    assert (await pin(client, bob, message["id"])).status_code == 204

    response = await client.patch(
        f"/api/messages/{message['id']}", headers=ana.headers, json={"text": "fixed"}
    )

    assert response.status_code == 200 and response.json()["pinned"] is True
    [updated] = events.of("message.updated", pair["id"])
    assert updated["message"]["pinned"] is True

"""Saved messages: anyone saves what they can read, for themselves alone; listed newest saved
first and paged; told only to the saver; hidden once deleted or once the saver left the chat."""

from __future__ import annotations

import pytest
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select

from chinwag.messages.models import Message
from chinwag.pins.models import Pin, SavedMessage
from tests.conftest import assert_error
from tests.messages.helpers import EventLog, delete, direct, group, sent


@pytest.fixture
def events(ctx) -> EventLog:
    return EventLog(ctx.broker)


def save(client, person, message_id: int):
    return client.put(f"/api/messages/{message_id}/saved", headers=person.headers)


def unsave(client, person, message_id: int):
    return client.delete(f"/api/messages/{message_id}/saved", headers=person.headers)


async def saved(client, person, **params) -> list[dict]:
    response = await client.get("/api/users/me/saved", headers=person.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(items: list[dict]) -> list[int]:
    return [item["message"]["id"] for item in items]


async def test_save_list_and_unsave(client, ana, bob, events):
    team = await group(client, ana, bob)
    pair = await direct(client, ana, bob)
    first = await sent(client, bob, team["id"], "in the group")
    second = await sent(client, bob, pair["id"], "in private")
    await events.broker.subscribe(f"user:{ana.id}")
    await events.broker.subscribe(f"user:{bob.id}")

    assert (await save(client, ana, first["id"])).status_code == 204
    assert (await save(client, ana, second["id"])).status_code == 204
    assert (await save(client, ana, first["id"])).status_code == 204  # again: no change

    listed = await saved(client, ana)
    assert ids(listed) == [second["id"], first["id"]]  # the latest saved first
    assert listed[0]["message"]["chat_id"] == pair["id"] and listed[0]["saved_at"]
    assert listed[1]["message"]["text"] == "in the group"
    assert await saved(client, bob) == []  # nobody else sees them
    told = [(c, e) for c, e in events.received if e["type"] == "message.saved"]
    assert [c for c, _ in told] == [f"user:{ana.id}"] * 2
    assert told[0][1]["message_id"] == first["id"] and told[0][1]["chat_id"] == team["id"]

    assert (await unsave(client, ana, first["id"])).status_code == 204
    assert ids(await saved(client, ana)) == [second["id"]]
    [unsaved] = [(c, e) for c, e in events.received if e["type"] == "message.unsaved"]
    assert unsaved == (
        f"user:{ana.id}",
        {"type": "message.unsaved", "chat_id": team["id"], "message_id": first["id"]},
    )
    assert (await unsave(client, ana, first["id"])).status_code == 204  # not saved: nothing


async def test_pages_with_before(client, ana, bob):
    pair = await direct(client, ana, bob)
    messages = [await sent(client, bob, pair["id"], f"m{i}") for i in range(5)]
    for message in messages:
        assert (await save(client, ana, message["id"])).status_code == 204
    newest_first = [m["id"] for m in reversed(messages)]

    page = await saved(client, ana, limit=2)
    assert ids(page) == newest_first[:2]
    page = await saved(client, ana, limit=2, before=ids(page)[-1])
    assert ids(page) == newest_first[2:4]
    page = await saved(client, ana, limit=2, before=ids(page)[-1])
    assert ids(page) == newest_first[4:]
    response = await client.get(
        "/api/users/me/saved", headers=ana.headers, params={"before": 10**9}
    )
    assert_error(response, 400, "bad_cursor")


async def test_a_group_i_left_hides_what_i_saved_there(client, ana, bob, cyd):
    team = await group(client, ana, bob, cyd)
    message = await sent(client, bob, team["id"], "keep this")
    assert (await save(client, cyd, message["id"])).status_code == 204

    response = await client.post(f"/api/chats/{team['id']}/leave", headers=cyd.headers)
    assert response.status_code == 204

    assert await saved(client, cyd) == []
    assert_error(await save(client, cyd, message["id"]), 404, "not_found")
    assert (await unsave(client, cyd, message["id"])).status_code == 204  # mine to drop


async def test_a_deleted_message_leaves_no_saved_item(client, ana, bob):
    pair = await direct(client, ana, bob)
    message = await sent(client, bob, pair["id"], "soon gone")
    assert (await save(client, ana, message["id"])).status_code == 204

    assert (await delete(client, bob, message["id"])).status_code == 204

    assert await saved(client, ana) == []
    assert_error(await save(client, ana, message["id"]), 409, "message_deleted")


async def test_unknown_and_unseen_messages_get_404(client, ana, bob, cyd):
    team = await group(client, ana, bob)
    message = await sent(client, bob, team["id"], "members only")

    assert_error(await save(client, cyd, message["id"]), 404, "not_found")
    assert_error(await unsave(client, cyd, message["id"]), 404, "not_found")
    assert_error(await save(client, ana, 10**9), 404, "not_found")
    assert_error(await unsave(client, ana, 10**9), 404, "not_found")
    response = await client.get("/api/users/me/saved", headers=ana.headers, params={"limit": 0})
    assert_error(response, 422)
    assert (await client.get("/api/users/me/saved")).status_code == 401


async def test_a_hard_delete_takes_pins_and_saved_items_with_it(client, ctx, ana, bob):
    """Retention deletes message rows: the foreign keys take what hangs off them along."""
    pair = await direct(client, ana, bob)
    message = await sent(client, bob, pair["id"], "expires")
    assert (await save(client, ana, message["id"])).status_code == 204
    pinned = await client.put(f"/api/messages/{message['id']}/pin", headers=ana.headers)
    assert pinned.status_code == 204

    await ctx.db.write(
        lambda db: db.execute(sql_delete(Message).where(Message.id == message["id"]))
    )

    def left(db):
        return [db.scalar(select(func.count()).select_from(t)) for t in (Pin, SavedMessage)]

    assert await ctx.db.read(left) == [0, 0]
    assert await saved(client, ana) == []

"""Reporting a message and the site administrators' review queue: who may report, one
report per person, dismiss / delete the message / deactivate the sender, every open report of
the message closed by one decision, all audited."""

from __future__ import annotations

import pytest

from chinwag.admin import store as admin_store
from tests.realtime.helpers import call


@pytest.fixture
async def admin(ctx, signup):
    boss = await signup("boss")
    await ctx.db.write(lambda db: admin_store.set_flags(db, boss.id, is_site_admin=True))
    return boss


@pytest.fixture
async def scene(client, ana, bob, cyd):
    """ana's group with bob and cyd, and a message of bob's in it."""
    group = await call(
        client,
        ana,
        "POST",
        "/api/chats",
        201,
        json={"name": "team", "member_ids": [bob.id, cyd.id]},
    )
    message = await call(
        client, bob, "POST", f"/api/chats/{group['id']}/messages", 201, json={"text": "rude words"}
    )
    return group, message


async def report(client, person, message, status=201, reason="spam"):
    return await call(
        client,
        person,
        "POST",
        f"/api/messages/{message['id']}/report",
        status,
        json={"reason": reason},
    )


async def test_members_report_once_and_the_queue_shows_it(client, admin, ana, bob, cyd, scene):
    group, message = scene
    await report(client, ana, message, reason="not nice")
    again = await report(client, ana, message, 409)
    assert again["error"]["code"] == "already_reported"
    own = await report(client, bob, message, 400)
    assert own["error"]["code"] == "own_message"
    await report(client, cyd, message)
    queue = await call(client, admin, "GET", "/api/admin/reports")
    assert [(r["reporter_username"], r["reason"]) for r in queue] == [
        ("cyd", "spam"),
        ("ana", "not nice"),
    ]
    first = queue[-1]
    assert first["text"] == "rude words" and first["sender_username"] == "bob"
    assert first["chat_name"] == "team" and first["resolution"] is None


async def test_only_readers_may_report_and_only_admins_review(client, admin, ana, scene, signup):
    _, message = scene
    outsider = await signup("eve")
    hidden = await report(client, outsider, message, 404)
    assert hidden["error"]["code"] == "not_found"
    await call(client, ana, "GET", "/api/admin/reports", 403)
    await call(client, ana, "POST", "/api/admin/reports/1/resolve", 403, json={"action": "dismiss"})


async def test_deleting_the_message_closes_every_report_of_it(client, admin, ana, cyd, scene):
    group, message = scene
    first = await report(client, ana, message)
    await report(client, cyd, message)
    done = await call(
        client,
        admin,
        "POST",
        f"/api/admin/reports/{first['id']}/resolve",
        json={"action": "delete_message"},
    )
    assert done == {"reports_closed": 2}
    history = await call(client, ana, "GET", f"/api/chats/{group['id']}/messages")
    [deleted] = [m for m in history if m["id"] == message["id"]]
    assert deleted["deleted"] is True and deleted["text"] is None
    assert await call(client, admin, "GET", "/api/admin/reports") == []
    closed = await call(client, admin, "GET", "/api/admin/reports", params={"state": "all"})
    assert {r["resolution"] for r in closed} == {"message_deleted"}
    assert all(r["text"] is None for r in closed)
    again = await call(
        client,
        admin,
        "POST",
        f"/api/admin/reports/{first['id']}/resolve",
        404,
        json={"action": "dismiss"},
    )
    assert again["error"]["code"] == "not_found"
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert log[0]["action"] == "report.message_deleted" and log[0]["target_username"] == "bob"


async def test_deactivating_the_sender_or_dismissing(client, admin, ana, bob, scene):
    group, message = scene
    made = await report(client, ana, message)
    await call(
        client,
        admin,
        "POST",
        f"/api/admin/reports/{made['id']}/resolve",
        json={"action": "deactivate_sender"},
    )
    assert (await client.get("/api/users/me", headers=bob.headers)).status_code == 401
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert [e["action"] for e in log[:2]] == ["report.sender_deactivated", "user.deactivated"]
    # bob's message stays (deactivation keeps what they wrote), and the report is closed
    history = await call(client, ana, "GET", f"/api/chats/{group['id']}/messages")
    assert any(m["id"] == message["id"] and m["text"] == "rude words" for m in history)
    assert await call(client, admin, "GET", "/api/admin/reports") == []


async def test_a_dismissal_keeps_the_message(client, admin, ana, scene):
    group, message = scene
    made = await report(client, ana, message)
    await call(
        client,
        admin,
        "POST",
        f"/api/admin/reports/{made['id']}/resolve",
        json={"action": "dismiss"},
    )
    history = await call(client, ana, "GET", f"/api/chats/{group['id']}/messages")
    assert any(m["id"] == message["id"] and m["text"] == "rude words" for m in history)


async def test_bad_input_gets_a_clear_error(client, admin, ana, scene):
    _, message = scene
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5}, {"reason": "x", "y": 1}):
        await call(client, ana, "POST", f"/api/messages/{message['id']}/report", 422, json=body)
    await call(client, ana, "POST", "/api/messages/999999/report", 404, json={"reason": "x"})
    made = await report(client, ana, message)
    await call(
        client,
        admin,
        "POST",
        f"/api/admin/reports/{made['id']}/resolve",
        422,
        json={"action": "ban"},
    )
    await call(client, admin, "GET", "/api/admin/reports", 422, params={"state": "closed"})

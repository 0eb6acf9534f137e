"""Slow mode: a group setting (admins, through PATCH) that lets each member (not admins)
send one message per N seconds there; a send too early is refused with 429 `slow_mode` and
the wait, measured from the member's last message as the database has it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from chinwag.app import create_app
from chinwag.chats.models import ChatMembership
from tests.chats.helpers import at_once
from tests.conftest import assert_error
from tests.realtime.helpers import call, new_group


async def say(client, person, chat, text="hello"):
    return await client.post(
        f"/api/chats/{chat['id']}/messages", headers=person.headers, json={"text": text}
    )


async def set_slow_mode(client, person, chat, seconds, status=200):
    return await call(
        client, person, "PATCH", f"/api/chats/{chat['id']}", status,
        json={"slow_mode_seconds": seconds},
    )  # fmt: skip


async def last_sent_moved_back(ctx, chat_id: int, user_id: int, seconds: int) -> None:
    """The member's last send `seconds` earlier than it was, as if that time had passed."""

    def unit(db):
        membership = db.get(ChatMembership, (chat_id, user_id))
        db.execute(
            update(ChatMembership)
            .where(ChatMembership.chat_id == chat_id, ChatMembership.user_id == user_id)
            .values(last_sent_at=membership.last_sent_at - timedelta(seconds=seconds))
        )

    await ctx.db.write(unit)


async def test_a_member_sends_one_message_per_interval(client, ctx, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    other = await new_group(client, ana, bob, name="Other")
    view = await set_slow_mode(client, ana, chat, 30)
    assert view["slow_mode_seconds"] == 30
    [listed] = [c for c in await call(client, bob, "GET", "/api/chats") if c["id"] == chat["id"]]
    assert listed["slow_mode_seconds"] == 30

    assert (await say(client, bob, chat, "first")).status_code == 201
    refused = await say(client, bob, chat, "second")
    error = assert_error(refused, 429, "slow_mode")
    assert 29 <= error["retry_after"] <= 30 and error["slow_mode_seconds"] == 30
    assert refused.headers["Retry-After"] == str(error["retry_after"])
    # the other way through the send (a mention) is held back the same
    assert_error(await say(client, bob, chat, "@ana **now**"), 429, "slow_mode")
    # others are not held back by bob's send, nor is bob elsewhere, nor the owner
    assert (await say(client, cyd, chat)).status_code == 201
    assert (await say(client, bob, other)).status_code == 201
    assert (await say(client, bob, other)).status_code == 201
    for _ in range(3):
        assert (await say(client, ana, chat)).status_code == 201

    await last_sent_moved_back(ctx, chat["id"], bob.id, 25)
    error = assert_error(await say(client, bob, chat), 429, "slow_mode")
    assert 4 <= error["retry_after"] <= 5
    await last_sent_moved_back(ctx, chat["id"], bob.id, 5)
    assert (await say(client, bob, chat, "again")).status_code == 201
    assert_error(await say(client, bob, chat), 429, "slow_mode")

    texts = [m["text"] for m in await call(client, bob, "GET", f"/api/chats/{chat['id']}/messages")]
    assert "@ana turned on slow mode: one message every 30 s" in texts
    assert "second" not in texts and texts.count("first") == 1


async def test_admins_are_exempt_and_zero_turns_it_off(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    role = {"role": "admin"}
    await call(client, ana, "PATCH", f"/api/chats/{chat['id']}/members/{bob.id}", json=role)
    await set_slow_mode(client, bob, chat, 60)  # an admin sets it
    for _ in range(2):
        assert (await say(client, bob, chat)).status_code == 201
    assert (await say(client, cyd, chat)).status_code == 201
    assert_error(await say(client, cyd, chat), 429, "slow_mode")
    assert (await set_slow_mode(client, ana, chat, 0))["slow_mode_seconds"] == 0
    assert (await say(client, cyd, chat)).status_code == 201
    texts = [m["text"] for m in await call(client, ana, "GET", f"/api/chats/{chat['id']}/messages")]
    assert "@ana turned off slow mode" in texts


async def test_only_admins_set_it_within_bounds(client, ana, bob):
    chat = await new_group(client, ana, bob)
    refused = await set_slow_mode(client, bob, chat, 10, 403)
    assert refused["error"]["code"] == "insufficient_role"
    for wrong in (-1, 21601, "10", 1.5, True):
        await set_slow_mode(client, ana, chat, wrong, 422)
    assert (await set_slow_mode(client, ana, chat, 21600))["slow_mode_seconds"] == 21600
    direct = await call(client, ana, "POST", "/api/chats/direct", 201, json={"user_id": bob.id})
    assert (await set_slow_mode(client, ana, direct, 10, 400))["error"]["code"] == "direct_chat"


async def test_two_servers_on_one_database_let_one_send_through(client, settings, ana, bob):
    """Slow mode is the database's, not a process's: the same member's sends racing through
    two apps (two engines, as two workers would be) store one message."""
    chat = await new_group(client, ana, bob)
    await set_slow_mode(client, ana, chat, 60)
    second = create_app(settings)
    async with second.router.lifespan_context(second):
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            answers = await at_once(
                *(say(c, bob, chat, f"race {i}") for i, c in enumerate([client, other] * 10))
            )
    assert sorted(r.status_code for r in answers) == [201] + [429] * 19, [r.text for r in answers]
    texts = [m["text"] for m in await call(client, ana, "GET", f"/api/chats/{chat['id']}/messages")]
    assert len([t for t in texts if t.startswith("race")]) == 1

"""Group mutes: a group's admins stop a member from sending until a time; the send is refused
with `muted` and its end, and works again once the time has passed (no sweep: the send
compares)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from chinwag.admin.service import audit_page
from chinwag.chats.models import ChatMembership
from tests.conftest import assert_error
from tests.realtime.helpers import call, new_group


def _mutes(chat: dict) -> str:
    return f"/api/chats/{chat['id']}/mutes"


async def mute(client, by, chat, target, status=200, **how):
    body = {"user_id": target.id, **(how or {"minutes": 60})}
    return await call(client, by, "POST", _mutes(chat), status, json=body)


async def say(client, person, chat, text="hello"):
    return await client.post(
        f"/api/chats/{chat['id']}/messages", headers=person.headers, json={"text": text}
    )


async def move_mute_end(ctx, chat_id: int, user_id: int, until: datetime) -> None:
    """The mute's end moved into the past, as if its time had passed."""

    def unit(db):
        db.execute(
            update(ChatMembership)
            .where(ChatMembership.chat_id == chat_id, ChatMembership.user_id == user_id)
            .values(muted_until=until)
        )

    await ctx.db.write(unit)


async def test_a_muted_member_cannot_send_until_the_mute_ends(client, ctx, events, ana, bob):
    chat = await new_group(client, ana, bob)
    channel = await events.watch_chat(chat["id"])
    answer = await mute(client, ana, chat, bob, minutes=10)
    until = datetime.fromisoformat(answer["muted_until"])
    assert timedelta(minutes=9) < until - datetime.now(UTC) <= timedelta(minutes=10)
    [updated] = [e for e in events.on(channel) if e["type"] == "member.updated"]
    assert updated["user_id"] == bob.id and updated["muted_until"] is not None

    refused = await say(client, bob, chat)
    body = assert_error(refused, 403, "muted")
    assert datetime.fromisoformat(body["until"]) == until
    # a message with a mention takes the other way through the send: refused the same
    formatted = await say(client, bob, chat, "@ana **look**")
    assert_error(formatted, 403, "muted")
    # what the muted member and the others see
    [mine] = [c for c in await call(client, bob, "GET", "/api/chats") if c["id"] == chat["id"]]
    assert datetime.fromisoformat(mine["muted_until"]) == until
    members = await call(client, ana, "GET", f"/api/chats/{chat['id']}/members")
    assert {m["user_id"]: m["muted_until"] is not None for m in members} == {
        ana.id: False,
        bob.id: True,
    }
    [listed] = await call(client, ana, "GET", _mutes(chat))
    assert listed["user_id"] == bob.id and listed["username"] == "bob"
    # others go on talking; reactions stay open to the muted member
    sent = (await say(client, ana, chat)).json()
    await call(client, bob, "PUT", f"/api/messages/{sent['id']}/reactions/👍", 204)

    await move_mute_end(ctx, chat["id"], bob.id, datetime.now(UTC) - timedelta(seconds=1))
    assert (await say(client, bob, chat, "back")).status_code == 201
    assert await call(client, ana, "GET", _mutes(chat)) == []
    [mine] = [c for c in await call(client, bob, "GET", "/api/chats") if c["id"] == chat["id"]]
    assert mine["muted_until"] is None


async def test_unmute_lets_them_send_at_once_and_is_audited(client, ctx, ana, bob):
    chat = await new_group(client, ana, bob)
    sent = (await say(client, bob, chat, "before")).json()
    await mute(client, ana, chat, bob, until=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    edit = await client.patch(
        f"/api/messages/{sent['id']}", headers=bob.headers, json={"text": "changed"}
    )
    assert_error(edit, 403, "muted")  # an edit could say anything a send would
    await call(client, ana, "DELETE", f"{_mutes(chat)}/{bob.id}", 204)
    assert (await say(client, bob, chat)).status_code == 201
    await call(client, ana, "DELETE", f"{_mutes(chat)}/{bob.id}", 204)  # not muted: nothing
    actions = [(e.action, e.target_user_id) for e in await audit_page(ctx, None, 10)]
    assert actions[:2] == [("chat.member_unmuted", bob.id), ("chat.member_muted", bob.id)]


async def test_who_may_mute_whom(client, ana, bob, cyd, dan):
    chat = await new_group(client, ana, bob, cyd, dan)
    # a member can't
    await mute(client, bob, chat, cyd, 403)
    await call(client, bob, "GET", _mutes(chat), 403)
    role = {"role": "admin"}
    await call(client, ana, "PATCH", f"/api/chats/{chat['id']}/members/{bob.id}", json=role)
    await call(client, ana, "PATCH", f"/api/chats/{chat['id']}/members/{dan.id}", json=role)
    # an admin mutes members, not the owner nor another admin, nor themselves
    body = await mute(client, bob, chat, ana, 403)
    assert body["error"]["code"] == "insufficient_role"
    assert (await mute(client, bob, chat, dan, 403))["error"]["code"] == "insufficient_role"
    assert (await mute(client, bob, chat, bob, 400))["error"]["code"] == "cannot_mute_self"
    await mute(client, bob, chat, cyd)
    # the owner mutes an admin, but not themselves
    await mute(client, ana, chat, dan)
    assert (await mute(client, ana, chat, ana, 400))["error"]["code"] == "cannot_mute_self"
    assert_error(await say(client, dan, chat), 403, "muted")
    assert (await say(client, bob, chat)).status_code == 201
    # someone outside the group
    outsider = await call(
        client, ana, "POST", _mutes(chat), 404, json={"user_id": 999999, "minutes": 5}
    )
    assert outsider["error"]["code"] == "member_not_found"


async def test_mutes_validate_their_input_and_dms_have_none(client, ana, bob):
    chat = await new_group(client, ana, bob)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    for how in (
        {},
        {"minutes": 0},
        {"minutes": "x"},
        {"minutes": 5, "until": far},
        {"until": past},
        {"until": far},
        {"until": "2026-01-01T00:00:00"},  # no time zone
        {"minutes": 5, "more": 1},
    ):
        await call(client, ana, "POST", _mutes(chat), 422, json={"user_id": bob.id, **how})
    direct = await call(client, ana, "POST", "/api/chats/direct", 201, json={"user_id": bob.id})
    refused = await call(
        client, ana, "POST", _mutes(direct), 400, json={"user_id": bob.id, "minutes": 5}
    )
    assert refused["error"]["code"] == "direct_chat"


async def test_a_banned_member_cannot_send(client, ana, bob):
    chat = await call(
        client, ana, "POST", "/api/chats", 201,
        json={"name": "lobby", "is_public": True, "member_ids": [bob.id]},
    )  # fmt: skip
    await call(client, ana, "POST", f"/api/chats/{chat['id']}/bans", 204, json={"user_id": bob.id})
    assert_error(await say(client, bob, chat), 403, "not_a_member")
    assert_error(
        await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers), 403, "banned"
    )
    assert_error(await say(client, bob, chat), 403, "not_a_member")


async def test_leaving_and_joining_again_keeps_the_mute(client, ctx, ana, bob):
    chat = await call(
        client, ana, "POST", "/api/chats", 201,
        json={"name": "lobby", "is_public": True, "member_ids": [bob.id]},
    )  # fmt: skip
    answer = await mute(client, ana, chat, bob, minutes=30)
    await call(client, bob, "POST", f"/api/chats/{chat['id']}/leave", 204)
    await call(client, bob, "POST", f"/api/chats/{chat['id']}/join")
    body = assert_error(await say(client, bob, chat), 403, "muted")
    assert datetime.fromisoformat(body["until"]) == datetime.fromisoformat(answer["muted_until"])
    # an ended mute isn't brought back: out again, its end passes, and back
    await call(client, bob, "POST", f"/api/chats/{chat['id']}/leave", 204)
    await call(
        client, ana, "POST", f"/api/chats/{chat['id']}/members", 201, json={"user_ids": [bob.id]}
    )
    await move_mute_end(ctx, chat["id"], bob.id, datetime.now(UTC) - timedelta(seconds=1))
    await call(client, bob, "POST", f"/api/chats/{chat['id']}/leave", 204)
    await call(client, bob, "POST", f"/api/chats/{chat['id']}/join")
    assert (await say(client, bob, chat)).status_code == 201

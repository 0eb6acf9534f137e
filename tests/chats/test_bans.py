"""Bans from a group: admins remove someone for good; a banned person can't join the public
group or be added; unbanning lets them back."""

from __future__ import annotations

from tests.conftest import assert_error
from tests.realtime.helpers import call


async def public_group(client, owner, *members):
    body = {"name": "lobby", "is_public": True, "member_ids": [m.id for m in members]}
    return await call(client, owner, "POST", "/api/chats", 201, json=body)


async def test_a_banned_member_is_removed_and_kept_out(client, ana, bob):
    group = await public_group(client, ana, bob)
    await call(client, ana, "POST", f"/api/chats/{group['id']}/bans", 204, json={"user_id": bob.id})
    members = await call(client, ana, "GET", f"/api/chats/{group['id']}/members")
    assert [m["user_id"] for m in members] == [ana.id]
    refused = await client.post(f"/api/chats/{group['id']}/join", headers=bob.headers)
    assert_error(refused, 403, "banned")
    added = await client.post(
        f"/api/chats/{group['id']}/members", headers=ana.headers, json={"user_ids": [bob.id]}
    )
    assert_error(added, 409, "banned")
    [listed] = await call(client, ana, "GET", f"/api/chats/{group['id']}/bans")
    assert listed["username"] == "bob" and listed["banned_by"] == ana.id
    await call(client, ana, "DELETE", f"/api/chats/{group['id']}/bans/{bob.id}", 204)
    await call(client, bob, "POST", f"/api/chats/{group['id']}/join")
    await call(client, ana, "DELETE", f"/api/chats/{group['id']}/bans/{bob.id}", 404)


async def test_only_admins_ban_and_never_above_themselves(client, ana, bob, cyd):
    group = await public_group(client, ana, bob, cyd)
    path = f"/api/chats/{group['id']}/bans"

    async def ban_by(person, target):
        return await client.post(path, headers=person.headers, json={"user_id": target.id})

    assert_error(await ban_by(bob, cyd), 403, "insufficient_role")
    role = {"role": "admin"}
    await call(client, ana, "PATCH", f"/api/chats/{group['id']}/members/{bob.id}", json=role)
    assert_error(await ban_by(bob, ana), 403, "insufficient_role")
    assert_error(await ban_by(bob, bob), 400, "cannot_ban_self")
    assert (await ban_by(bob, cyd)).status_code == 204
    # cyd is out: the list of bans is for the group's admins
    assert_error(await client.get(path, headers=cyd.headers), 403, "not_a_member")
    for body in ({}, {"user_id": 0}, {"user_id": "x"}, {"user_id": 1, "more": 1}):
        await call(client, ana, "POST", path, 422, json=body)
    await call(client, ana, "POST", path, 404, json={"user_id": 999999})

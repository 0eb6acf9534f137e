"""Roles: only the owner sets them; making someone owner hands the group over."""

from __future__ import annotations

import pytest

from tests.chats.helpers import new_group, roles, send
from tests.conftest import assert_error


async def set_role(client, actor, chat_id, user_id, role):
    return await client.patch(
        f"/api/chats/{chat_id}/members/{user_id}", headers=actor.headers, json={"role": role}
    )


async def test_owner_makes_a_member_admin(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await set_role(client, ana, chat["id"], bob.id, "admin")
    assert response.status_code == 200, response.text
    member = response.json()
    assert member["user_id"] == bob.id
    assert member["role"] == "admin"
    assert member["user"]["username"] == "bob"
    assert (await roles(client, bob, chat["id"]))[bob.id] == "admin"
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert seen["role"] == "admin"


async def test_owner_demotes_an_admin(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await set_role(client, ana, chat["id"], bob.id, "admin")
    response = await set_role(client, ana, chat["id"], bob.id, "member")
    assert response.status_code == 200, response.text
    assert (await roles(client, ana, chat["id"]))[bob.id] == "member"


async def test_setting_the_same_role_again_is_harmless(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await set_role(client, ana, chat["id"], bob.id, "member")
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"


async def test_making_someone_owner_hands_ownership_over(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await set_role(client, ana, chat["id"], bob.id, "owner")
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "owner"
    assert await roles(client, ana, chat["id"]) == {ana.id: "admin", bob.id: "owner"}


async def test_after_handing_over_the_old_owner_is_an_admin(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await set_role(client, ana, chat["id"], bob.id, "owner")
    # No longer the owner: can't set roles or delete; still an admin: can rename.
    assert_error(await set_role(client, ana, chat["id"], cyd.id, "admin"), 403, "insufficient_role")
    assert_error(await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers), 403)
    renamed = await client.patch(
        f"/api/chats/{chat['id']}", headers=ana.headers, json={"name": "Still mine to name"}
    )
    assert renamed.status_code == 200, renamed.text
    # The new owner can remove the old one, now an admin.
    removed = await client.delete(f"/api/chats/{chat['id']}/members/{ana.id}", headers=bob.headers)
    assert removed.status_code == 204


async def test_there_is_always_exactly_one_owner(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await set_role(client, ana, chat["id"], bob.id, "owner")
    await set_role(client, bob, chat["id"], cyd.id, "owner")
    assert list((await roles(client, cyd, chat["id"])).values()).count("owner") == 1
    assert (await roles(client, cyd, chat["id"]))[cyd.id] == "owner"


async def test_admin_cannot_set_roles(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await set_role(client, ana, chat["id"], bob.id, "admin")
    assert_error(await set_role(client, bob, chat["id"], cyd.id, "admin"), 403, "insufficient_role")
    assert_error(await set_role(client, bob, chat["id"], bob.id, "owner"), 403)
    assert await roles(client, ana, chat["id"]) == {
        ana.id: "owner",
        bob.id: "admin",
        cyd.id: "member",
    }


async def test_member_cannot_set_roles(client, ana, bob):
    chat = await new_group(client, ana, bob)
    assert_error(await set_role(client, bob, chat["id"], bob.id, "admin"), 403, "insufficient_role")
    assert (await roles(client, ana, chat["id"]))[bob.id] == "member"


async def test_owner_cannot_change_own_role(client, ana, bob):
    chat = await new_group(client, ana, bob)
    assert_error(await set_role(client, ana, chat["id"], ana.id, "member"), 400, "own_role")
    assert (await roles(client, ana, chat["id"]))[ana.id] == "owner"


@pytest.mark.parametrize("role", ["boss", "", "OWNER", None, 1])
async def test_invalid_role_is_422(client, ana, bob, role):
    chat = await new_group(client, ana, bob)
    assert_error(await set_role(client, ana, chat["id"], bob.id, role), 422, "validation_error")
    assert (await roles(client, ana, chat["id"]))[bob.id] == "member"


async def test_setting_the_role_of_a_non_member_is_404(client, ana, bob):
    chat = await new_group(client, ana)
    assert_error(await set_role(client, ana, chat["id"], bob.id, "admin"), 404, "member_not_found")


async def test_setting_the_role_of_an_unknown_user_is_404(client, ana):
    chat = await new_group(client, ana)
    assert_error(await set_role(client, ana, chat["id"], 999999, "admin"), 404)


async def test_admin_can_delete_others_messages(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    message = await send(client, cyd, chat["id"], "oops")
    assert_error(await client.delete(f"/api/messages/{message['id']}", headers=bob.headers), 403)
    await set_role(client, ana, chat["id"], bob.id, "admin")
    response = await client.delete(f"/api/messages/{message['id']}", headers=bob.headers)
    assert response.status_code == 204

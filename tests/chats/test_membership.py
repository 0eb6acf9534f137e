"""Membership of groups: join, leave, add and remove people, and who takes over from an
owner who leaves."""

from __future__ import annotations

from tests.chats.helpers import history, my_chat_ids, new_group, roles, system_texts
from tests.conftest import assert_error


async def promote(client, owner, chat_id, person, role="admin"):
    response = await client.patch(
        f"/api/chats/{chat_id}/members/{person.id}", headers=owner.headers, json={"role": role}
    )
    assert response.status_code == 200, response.text


async def add(client, actor, chat_id, *people):
    return await client.post(
        f"/api/chats/{chat_id}/members",
        headers=actor.headers,
        json={"user_ids": [p.id for p in people]},
    )


async def remove(client, actor, chat_id, person):
    return await client.delete(f"/api/chats/{chat_id}/members/{person.id}", headers=actor.headers)


async def leave(client, person, chat_id):
    return await client.post(f"/api/chats/{chat_id}/leave", headers=person.headers)


# --- join -----------------------------------------------------------------------------


async def test_joining_a_public_group_answers_200_with_the_chat(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    response = await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert response.status_code == 200, response.text
    joined = response.json()
    assert joined["id"] == chat["id"]
    assert joined["role"] == "member"
    assert joined["member_count"] == 2
    assert chat["id"] in await my_chat_ids(client, bob)


async def test_joining_stores_a_system_message(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert (await system_texts(client, bob, chat["id"]))[-1] == "@bob joined"


async def test_joining_twice_is_harmless(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    before = await history(client, bob, chat["id"])
    again = await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert again.status_code == 200, again.text
    assert again.json()["role"] == "member"
    assert again.json()["member_count"] == 2
    assert await history(client, bob, chat["id"]) == before


async def test_owner_joining_own_group_keeps_the_owner_role(client, ana):
    chat = await new_group(client, ana, public=True)
    response = await client.post(f"/api/chats/{chat['id']}/join", headers=ana.headers)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "owner"


async def test_joining_a_private_group_i_am_not_in_is_404(client, ana, bob):
    chat = await new_group(client, ana)
    assert_error(await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers), 404)
    assert chat["id"] not in await my_chat_ids(client, bob)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_joining_a_private_group_i_am_in_changes_nothing(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"


async def test_joining_an_unknown_chat_is_404(client, ana):
    assert_error(await client.post("/api/chats/999999/join", headers=ana.headers), 404)


# --- leave ----------------------------------------------------------------------------


async def test_leaving_answers_204_and_the_chat_leaves_my_list(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await leave(client, bob, chat["id"])
    assert response.status_code == 204
    assert response.content == b""
    assert chat["id"] not in await my_chat_ids(client, bob)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_leaving_stores_a_system_message(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await leave(client, bob, chat["id"])
    assert (await system_texts(client, ana, chat["id"]))[-1] == "@bob left"


async def test_after_leaving_a_private_group_it_is_invisible(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await leave(client, bob, chat["id"])
    assert_error(await client.get(f"/api/chats/{chat['id']}", headers=bob.headers), 404)
    assert_error(await client.get(f"/api/chats/{chat['id']}/messages", headers=bob.headers), 404)


async def test_after_leaving_a_public_group_history_is_closed(client, ana, bob):
    chat = await new_group(client, ana, bob, public=True)
    await leave(client, bob, chat["id"])
    assert_error(await client.get(f"/api/chats/{chat['id']}/messages", headers=bob.headers), 403)
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert seen["role"] is None


async def test_leaving_a_public_group_i_am_not_in_is_403(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    assert_error(await leave(client, bob, chat["id"]), 403, "not_a_member")


async def test_leaving_a_private_group_i_am_not_in_is_404(client, ana, bob):
    chat = await new_group(client, ana)
    assert_error(await leave(client, bob, chat["id"]), 404)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_rejoining_a_public_group_after_leaving(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    await leave(client, bob, chat["id"])
    response = await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"


# --- add ------------------------------------------------------------------------------


async def test_owner_adds_members_and_gets_those_added(client, ana, bob, cyd):
    chat = await new_group(client, ana)
    response = await add(client, ana, chat["id"], bob, cyd)
    assert response.status_code == 201, response.text
    added = response.json()
    assert [m["user_id"] for m in added] == [bob.id, cyd.id]
    assert added[0]["role"] == "member"
    assert added[0]["user"] == {
        "id": bob.id,
        "username": "bob",
        "display_name": "bob",
        "avatar_url": None,
    }
    assert set(added[0]) == {
        *("user_id", "role", "joined_at", "last_read_seq", "muted_until", "user"),
    }
    assert await roles(client, ana, chat["id"]) == {
        ana.id: "owner",
        bob.id: "member",
        cyd.id: "member",
    }


async def test_adding_skips_people_already_in(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    response = await add(client, ana, chat["id"], bob, cyd, cyd, ana)
    assert response.status_code == 201, response.text
    assert [m["user_id"] for m in response.json()] == [cyd.id]
    assert await system_texts(client, ana, chat["id"]) == [
        "@ana created the group",
        "@ana added @bob",
        "@ana added @cyd",
    ]


async def test_adding_only_members_answers_an_empty_list(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await add(client, ana, chat["id"], bob)
    assert response.status_code == 201, response.text
    assert response.json() == []


async def test_adding_stores_a_system_message_per_person(client, ana, bob, cyd):
    chat = await new_group(client, ana)
    await add(client, ana, chat["id"], bob, cyd)
    assert (await system_texts(client, ana, chat["id"]))[-2:] == [
        "@ana added @bob",
        "@ana added @cyd",
    ]


async def test_added_people_see_the_group_and_its_history(client, ana, bob):
    chat = await new_group(client, ana)
    await add(client, ana, chat["id"], bob)
    assert chat["id"] in await my_chat_ids(client, bob)
    assert len(await history(client, bob, chat["id"])) == 2


async def test_admin_adds_members(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    await promote(client, ana, chat["id"], bob)
    response = await add(client, bob, chat["id"], cyd)
    assert response.status_code == 201, response.text
    assert [m["user_id"] for m in response.json()] == [cyd.id]


async def test_member_cannot_add(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    assert_error(await add(client, bob, chat["id"], cyd), 403, "insufficient_role")
    assert cyd.id not in await roles(client, ana, chat["id"])


async def test_adding_an_unknown_user_is_404_and_adds_nobody(client, ana, bob):
    chat = await new_group(client, ana)
    response = await client.post(
        f"/api/chats/{chat['id']}/members", headers=ana.headers, json={"user_ids": [bob.id, 999999]}
    )
    assert_error(response, 404)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_adding_with_bad_ids_is_422(client, ana):
    chat = await new_group(client, ana)
    url = f"/api/chats/{chat['id']}/members"
    for body in (
        {"user_ids": []},
        {"user_ids": [0]},
        {"user_ids": [2**40]},
        {"user_ids": list(range(1, 102))},
        {},
        {"user_ids": "bob"},
    ):
        assert_error(await client.post(url, headers=ana.headers, json=body), 422)


# --- remove ---------------------------------------------------------------------------


async def test_owner_removes_a_member(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await remove(client, ana, chat["id"], bob)
    assert response.status_code == 204
    assert response.content == b""
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}
    assert chat["id"] not in await my_chat_ids(client, bob)
    assert_error(await client.get(f"/api/chats/{chat['id']}/messages", headers=bob.headers), 404)


async def test_removing_stores_a_system_message(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await remove(client, ana, chat["id"], bob)
    assert (await system_texts(client, ana, chat["id"]))[-1] == "@ana removed @bob"


async def test_admin_removes_a_member(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await promote(client, ana, chat["id"], bob)
    assert (await remove(client, bob, chat["id"], cyd)).status_code == 204
    assert cyd.id not in await roles(client, ana, chat["id"])


async def test_admin_cannot_remove_the_owner(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await promote(client, ana, chat["id"], bob)
    assert_error(await remove(client, bob, chat["id"], ana), 403, "insufficient_role")
    assert (await roles(client, ana, chat["id"]))[ana.id] == "owner"


async def test_admin_cannot_remove_another_admin(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await promote(client, ana, chat["id"], bob)
    await promote(client, ana, chat["id"], cyd)
    assert_error(await remove(client, bob, chat["id"], cyd), 403, "insufficient_role")
    assert (await roles(client, ana, chat["id"]))[cyd.id] == "admin"


async def test_owner_removes_an_admin(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await promote(client, ana, chat["id"], bob)
    assert (await remove(client, ana, chat["id"], bob)).status_code == 204
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_member_cannot_remove(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    assert_error(await remove(client, bob, chat["id"], cyd), 403, "insufficient_role")
    assert cyd.id in await roles(client, ana, chat["id"])


async def test_removing_someone_who_is_not_a_member_is_404(client, ana, bob):
    chat = await new_group(client, ana)
    assert_error(await remove(client, ana, chat["id"], bob), 404, "member_not_found")


async def test_removing_myself_is_leaving(client, ana, bob):
    chat = await new_group(client, ana, bob)
    assert (await remove(client, bob, chat["id"], bob)).status_code == 204
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}
    assert (await system_texts(client, ana, chat["id"]))[-1] == "@bob left"


async def test_removed_member_can_be_added_again(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await remove(client, ana, chat["id"], bob)
    response = await add(client, ana, chat["id"], bob)
    assert [m["user_id"] for m in response.json()] == [bob.id]


# --- the owner leaves -------------------------------------------------------------------


async def test_owner_leaving_hands_the_group_to_the_longest_standing_admin(
    client, ana, bob, cyd, dan
):
    # cyd joins before bob, though bob's id is lower: age, not id, decides.
    chat = await new_group(client, ana, cyd, dan)
    await add(client, ana, chat["id"], bob)
    await promote(client, ana, chat["id"], bob)
    await promote(client, ana, chat["id"], cyd)
    assert (await leave(client, ana, chat["id"])).status_code == 204
    assert await roles(client, bob, chat["id"]) == {
        bob.id: "admin",
        cyd.id: "owner",
        dan.id: "member",
    }


async def test_an_admin_is_preferred_to_an_older_member(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    await add(client, ana, chat["id"], cyd)
    await promote(client, ana, chat["id"], cyd)
    await leave(client, ana, chat["id"])
    assert await roles(client, bob, chat["id"]) == {bob.id: "member", cyd.id: "owner"}


async def test_without_admins_the_longest_standing_member_takes_over(client, ana, bob, cyd):
    chat = await new_group(client, ana, cyd)
    await add(client, ana, chat["id"], bob)
    await leave(client, ana, chat["id"])
    assert await roles(client, bob, chat["id"]) == {bob.id: "member", cyd.id: "owner"}


async def test_the_new_owner_can_delete_the_group(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await leave(client, ana, chat["id"])
    assert (await client.delete(f"/api/chats/{chat['id']}", headers=bob.headers)).status_code == 204


async def test_last_member_leaving_deletes_the_group(client, ana, bob):
    chat = await new_group(client, ana, name="Lonely", public=True)
    assert (await leave(client, ana, chat["id"])).status_code == 204
    assert_error(await client.get(f"/api/chats/{chat['id']}", headers=bob.headers), 404)
    assert_error(await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers), 404)
    found = (
        await client.get("/api/chats/discover", headers=bob.headers, params={"q": "Lonely"})
    ).json()
    assert found == []


async def test_last_admin_removed_then_owner_leaves(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await promote(client, ana, chat["id"], bob)
    await remove(client, ana, chat["id"], bob)
    await leave(client, ana, chat["id"])
    assert await roles(client, cyd, chat["id"]) == {cyd.id: "owner"}

"""Direct chats: one per pair, named after the other person, and closed to group changes."""

from __future__ import annotations

import pytest

from tests.chats.helpers import at_once, my_chat_ids, roles
from tests.conftest import assert_error


async def open_direct(client, me, other):
    return await client.post("/api/chats/direct", headers=me.headers, json={"user_id": other.id})


async def test_first_ask_creates_the_chat_with_201(client, ana, bob):
    response = await open_direct(client, ana, bob)
    assert response.status_code == 201, response.text
    chat = response.json()
    assert chat["kind"] == "direct"
    assert chat["is_public"] is False
    assert chat["member_count"] == 2
    assert chat["role"] == "member"
    assert await roles(client, ana, chat["id"]) == {ana.id: "member", bob.id: "member"}


async def test_asking_again_answers_200_and_the_same_chat(client, ana, bob):
    first = (await open_direct(client, ana, bob)).json()
    again = await open_direct(client, ana, bob)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"]


async def test_the_other_side_gets_the_same_chat(client, ana, bob):
    first = (await open_direct(client, ana, bob)).json()
    reverse = await open_direct(client, bob, ana)
    assert reverse.status_code == 200, reverse.text
    assert reverse.json()["id"] == first["id"]
    assert await my_chat_ids(client, ana) == [first["id"]]
    assert await my_chat_ids(client, bob) == [first["id"]]


async def test_each_pair_has_its_own_chat(client, ana, bob, cyd):
    with_bob = (await open_direct(client, ana, bob)).json()
    with_cyd = await open_direct(client, ana, cyd)
    assert with_cyd.status_code == 201
    assert with_cyd.json()["id"] != with_bob["id"]


async def test_name_and_peer_are_the_other_person_for_each_side(client, ana, bob):
    renamed = await client.patch(
        "/api/users/me", headers=bob.headers, json={"display_name": "Bob Builder"}
    )
    assert renamed.status_code == 200, renamed.text
    chat = (await open_direct(client, ana, bob)).json()
    assert chat["name"] == "Bob Builder"
    assert chat["peer"] == {
        "id": bob.id,
        "username": "bob",
        "display_name": "Bob Builder",
        "avatar_url": None,
    }

    seen_by_bob = (await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert seen_by_bob["name"] == "ana"
    assert seen_by_bob["peer"] == {
        "id": ana.id,
        "username": "ana",
        "display_name": "ana",
        "avatar_url": None,
    }

    listed = (await client.get("/api/chats", headers=ana.headers)).json()
    assert listed[0]["name"] == "Bob Builder"
    assert listed[0]["peer"]["id"] == bob.id


async def test_direct_chat_with_myself_is_400(client, ana):
    assert_error(await open_direct(client, ana, ana), 400, "direct_self")
    assert await my_chat_ids(client, ana) == []


async def test_direct_chat_with_unknown_user_is_404(client, ana):
    response = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": 999999})
    assert_error(response, 404)


@pytest.mark.parametrize("user_id", [0, -1, 99999999999999999999, "abc", None])
async def test_direct_chat_with_invalid_user_id_is_422(client, ana, user_id):
    response = await client.post(
        "/api/chats/direct", headers=ana.headers, json={"user_id": user_id}
    )
    assert_error(response, 422, "validation_error")


async def test_outsiders_cannot_see_a_direct_chat(client, ana, bob, cyd):
    chat = (await open_direct(client, ana, bob)).json()
    assert_error(await client.get(f"/api/chats/{chat['id']}", headers=cyd.headers), 404)
    assert_error(await client.get(f"/api/chats/{chat['id']}/messages", headers=cyd.headers), 404)
    assert_error(await client.post(f"/api/chats/{chat['id']}/join", headers=cyd.headers), 404)


async def test_both_sides_asking_at_once_yield_one_chat(client, ana, bob):
    first, second = await at_once(open_direct(client, ana, bob), open_direct(client, bob, ana))
    assert sorted([first.status_code, second.status_code]) == [200, 201], (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["peer"]["id"] == bob.id
    assert second.json()["peer"]["id"] == ana.id
    assert await my_chat_ids(client, ana) == [first.json()["id"]]


async def test_many_concurrent_asks_yield_one_chat(client, ana, bob):
    responses = await at_once(
        *[open_direct(client, *pair) for pair in [(ana, bob), (bob, ana)] * 4]
    )
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1


# --- group-only operations are refused ----------------------------------------------------


@pytest.fixture
async def direct(client, ana, bob) -> dict:
    return (await open_direct(client, ana, bob)).json()


async def test_cannot_add_members_to_a_direct_chat(client, ana, cyd, direct):
    response = await client.post(
        f"/api/chats/{direct['id']}/members", headers=ana.headers, json={"user_ids": [cyd.id]}
    )
    assert_error(response, 400, "direct_chat")
    assert direct["id"] not in await my_chat_ids(client, cyd)


async def test_cannot_rename_a_direct_chat(client, ana, direct):
    response = await client.patch(
        f"/api/chats/{direct['id']}", headers=ana.headers, json={"name": "Ours"}
    )
    assert_error(response, 400, "direct_chat")


async def test_cannot_leave_a_direct_chat(client, ana, direct):
    assert_error(
        await client.post(f"/api/chats/{direct['id']}/leave", headers=ana.headers),
        400,
        "direct_chat",
    )
    assert direct["id"] in await my_chat_ids(client, ana)


async def test_cannot_remove_the_other_person(client, ana, bob, direct):
    response = await client.delete(
        f"/api/chats/{direct['id']}/members/{bob.id}", headers=ana.headers
    )
    assert_error(response, 400, "direct_chat")
    assert direct["id"] in await my_chat_ids(client, bob)


async def test_cannot_remove_myself(client, ana, direct):
    response = await client.delete(
        f"/api/chats/{direct['id']}/members/{ana.id}", headers=ana.headers
    )
    assert_error(response, 400, "direct_chat")


async def test_cannot_set_roles_in_a_direct_chat(client, ana, bob, direct):
    response = await client.patch(
        f"/api/chats/{direct['id']}/members/{bob.id}", headers=ana.headers, json={"role": "admin"}
    )
    assert_error(response, 400, "direct_chat")


async def test_cannot_delete_a_direct_chat(client, ana, direct):
    assert_error(
        await client.delete(f"/api/chats/{direct['id']}", headers=ana.headers), 400, "direct_chat"
    )
    assert direct["id"] in await my_chat_ids(client, ana)


async def test_direct_chat_is_not_discoverable(client, cyd, direct):
    found = (await client.get("/api/chats/discover", headers=cyd.headers)).json()
    assert direct["id"] not in [c["id"] for c in found]

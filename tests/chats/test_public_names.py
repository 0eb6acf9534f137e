"""Public group names are unique regardless of case (a second public "design" was allowed);
private groups and direct chats may share names with anything."""

from __future__ import annotations

import asyncio

from tests.chats.helpers import history, my_chat_ids, new_group
from tests.conftest import assert_error


async def create(client, who, name: str, public: bool = True):
    return await client.post(
        "/api/chats", headers=who.headers, json={"name": name, "is_public": public}
    )


async def test_a_second_public_group_of_the_same_name_is_refused(client, ana, bob):
    await new_group(client, ana, name="design", public=True)
    for name in ("design", "Design", "DESIGN"):
        error = assert_error(await create(client, bob, name), 409, "name_taken")
        assert name in error["message"]
    assert await my_chat_ids(client, bob) == []


async def test_case_is_folded_beyond_ascii(client, ana, bob):
    await new_group(client, ana, name="Дизайн", public=True)
    assert_error(await create(client, bob, "дизайн"), 409, "name_taken")
    await new_group(client, ana, name="Straße", public=True)
    assert_error(await create(client, bob, "STRASSE"), 409, "name_taken")


async def test_private_groups_may_share_any_name(client, ana, bob):
    await new_group(client, ana, name="design", public=True)
    for who in (ana, bob, bob):
        response = await create(client, who, "Design", public=False)
        assert response.status_code == 201, response.text


async def test_opening_or_renaming_into_a_taken_name_changes_nothing(client, ana, bob):
    await new_group(client, ana, name="design", public=True)
    private = await new_group(client, bob, name="DESIGN")
    url = f"/api/chats/{private['id']}"
    assert_error(await client.patch(url, headers=bob.headers, json={"is_public": True}), 409)
    other = await new_group(client, bob, name="other", public=True)
    other_url = f"/api/chats/{other['id']}"
    response = await client.patch(other_url, headers=bob.headers, json={"name": "Design"})
    assert_error(response, 409, "name_taken")
    assert (await client.get(url, headers=bob.headers)).json()["is_public"] is False
    assert (await client.get(other_url, headers=bob.headers)).json()["name"] == "other"
    # a refused rename announces nothing
    assert [m["text"] for m in await history(client, bob, other["id"])] == [
        "@bob created the group"
    ]


async def test_a_group_may_change_the_case_of_its_own_name(client, ana):
    chat = await new_group(client, ana, name="design", public=True)
    url = f"/api/chats/{chat['id']}"
    response = await client.patch(url, headers=ana.headers, json={"name": "Design"})
    assert response.status_code == 200, response.text
    response = await client.patch(url, headers=ana.headers, json={"description": "ours"})
    assert response.status_code == 200, response.text


async def test_the_name_of_a_deleted_or_closed_group_is_free_again(client, ana, bob):
    gone = await new_group(client, ana, name="design", public=True)
    assert (await client.delete(f"/api/chats/{gone['id']}", headers=ana.headers)).is_success
    closed = await new_group(client, ana, name="Design", public=True)
    response = await client.patch(
        f"/api/chats/{closed['id']}", headers=ana.headers, json={"is_public": False}
    )
    assert response.status_code == 200, response.text
    response = await create(client, bob, "DESIGN")
    assert response.status_code == 201, response.text


async def test_two_at_once_one_wins(client, ana, bob):
    answers = await asyncio.gather(create(client, ana, "race"), create(client, bob, "Race"))
    assert sorted(r.status_code for r in answers) == [201, 409]
    refused = next(r for r in answers if r.status_code == 409)
    assert_error(refused, 409, "name_taken")

"""Discovery: public groups found by name; private groups and direct chats never."""

from __future__ import annotations

from tests.chats.helpers import new_group
from tests.conftest import assert_error


async def discover(client, person, q: str | None = None) -> list[dict]:
    params = {} if q is None else {"q": q}
    response = await client.get("/api/chats/discover", headers=person.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def names(chats: list[dict]) -> set[str]:
    return {c["name"] for c in chats}


async def test_lists_public_groups_but_never_private_ones(client, ana, bob):
    await new_group(client, ana, name="Open house", public=True)
    await new_group(client, ana, name="Secret house")
    assert names(await discover(client, bob)) == {"Open house"}
    assert names(await discover(client, bob, "house")) == {"Open house"}
    assert await discover(client, bob, "Secret") == []


async def test_private_group_is_hidden_even_from_its_members(client, ana):
    await new_group(client, ana, name="Secret", public=False)
    assert await discover(client, ana, "Secret") == []


async def test_search_is_case_insensitive_and_matches_anywhere(client, ana, bob):
    await new_group(client, ana, name="Python Lovers", public=True)
    await new_group(client, ana, name="Rustaceans", public=True)
    assert names(await discover(client, bob, "python")) == {"Python Lovers"}
    assert names(await discover(client, bob, "LOVERS")) == {"Python Lovers"}
    assert names(await discover(client, bob, "hon lo")) == {"Python Lovers"}
    assert await discover(client, bob, "golang") == []


async def test_percent_and_underscore_are_taken_literally(client, ana, bob):
    await new_group(client, ana, name="100% fun", public=True)
    await new_group(client, ana, name="1000 fun", public=True)
    await new_group(client, ana, name="snake_case", public=True)
    await new_group(client, ana, name="snakeXcase", public=True)
    assert names(await discover(client, bob, "0%")) == {"100% fun"}
    assert await discover(client, bob, "%") != []
    assert names(await discover(client, bob, "%")) == {"100% fun"}
    assert names(await discover(client, bob, "e_c")) == {"snake_case"}
    assert names(await discover(client, bob, "_")) == {"snake_case"}


async def test_backslash_is_taken_literally(client, ana, bob):
    await new_group(client, ana, name="back\\slash", public=True)
    await new_group(client, ana, name="backslash", public=True)
    assert names(await discover(client, bob, "k\\s")) == {"back\\slash"}


async def test_role_is_null_for_non_members_and_set_for_members(client, ana, bob):
    chat = await new_group(client, ana, name="Open", public=True)
    [seen_by_bob] = await discover(client, bob, "Open")
    assert seen_by_bob["id"] == chat["id"]
    assert seen_by_bob["role"] is None
    assert seen_by_bob["member_count"] == 1
    [seen_by_ana] = await discover(client, ana, "Open")
    assert seen_by_ana["role"] == "owner"


async def test_busiest_groups_come_first(client, ana, bob, cyd):
    quiet = await new_group(client, ana, name="Quiet room", public=True)
    busy = await new_group(client, ana, bob, cyd, name="Busy room", public=True)
    assert [c["id"] for c in await discover(client, bob, "room")] == [busy["id"], quiet["id"]]


async def test_deleted_groups_are_not_listed(client, ana, bob):
    chat = await new_group(client, ana, name="Gone", public=True)
    await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert await discover(client, bob, "Gone") == []


async def test_limit_caps_the_answer(client, ana, bob):
    for i in range(3):
        await new_group(client, ana, name=f"Room {i}", public=True)
    response = await client.get(
        "/api/chats/discover", headers=bob.headers, params={"q": "room", "limit": 2}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()) == 2


async def test_query_over_100_characters_is_422(client, ana):
    response = await client.get("/api/chats/discover", headers=ana.headers, params={"q": "x" * 101})
    assert_error(response, 422, "validation_error")


async def test_query_with_nul_is_422(client, ana):
    response = await client.get("/api/chats/discover", headers=ana.headers, params={"q": "a\x00"})
    assert_error(response, 422, "validation_error")


async def test_bad_limit_is_422(client, ana):
    for limit in (0, 101, "many"):
        response = await client.get(
            "/api/chats/discover", headers=ana.headers, params={"limit": limit}
        )
        assert_error(response, 422)


async def test_discovery_needs_sign_in(client):
    assert_error(await client.get("/api/chats/discover"), 401)

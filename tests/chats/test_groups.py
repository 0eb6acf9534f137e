"""Groups: creation (shape, owner, members, validation), rename/describe and deletion."""

from __future__ import annotations

import pytest

from tests.chats.helpers import history, my_chat_ids, new_group, roles, system_texts
from tests.conftest import assert_error

CHAT_FIELDS = {
    "id",
    "muted",
    "kind",
    "name",
    "description",
    "is_public",
    "role",
    "member_count",
    "last_seq",
    "last_read_seq",
    "unread",
    "unread_mentions",
    "last_message",
    "created_at",
    "created_by",
    "retention_days",
    "peer",
    "members",
    "slow_mode_seconds",
    "muted_until",
}


# --- creation ---------------------------------------------------------------------------


async def test_create_group_answers_201_with_the_chat_shape(client, ana):
    response = await client.post(
        "/api/chats", headers=ana.headers, json={"name": "Team", "description": "Our room"}
    )
    assert response.status_code == 201, response.text
    chat = response.json()
    assert set(chat) == CHAT_FIELDS
    assert chat["kind"] == "group"
    assert chat["name"] == "Team"
    assert chat["description"] == "Our room"
    assert chat["is_public"] is False
    assert chat["role"] == "owner"
    assert chat["member_count"] == 1
    assert chat["created_by"] == ana.id
    assert chat["peer"] is None
    assert chat["unread"] == 0
    assert chat["muted"] is False


async def test_creator_is_owner_and_listed_people_are_members(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    assert chat["member_count"] == 3
    assert await roles(client, ana, chat["id"]) == {
        ana.id: "owner",
        bob.id: "member",
        cyd.id: "member",
    }


async def test_members_see_the_new_group_in_their_list(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    assert chat["id"] in await my_chat_ids(client, bob)
    assert chat["id"] not in await my_chat_ids(client, cyd)


async def test_creation_stores_system_messages(client, ana, bob):
    chat = await new_group(client, ana, bob)
    texts = await system_texts(client, ana, chat["id"])
    assert texts == ["@ana created the group", "@ana added @bob"]
    assert chat["last_seq"] == 2
    assert chat["last_message"]["kind"] == "system"
    assert chat["last_message"]["seq"] == 2


async def test_duplicate_member_ids_and_the_creator_are_added_once(client, ana, bob):
    response = await client.post(
        "/api/chats",
        headers=ana.headers,
        json={"name": "Team", "member_ids": [bob.id, bob.id, ana.id]},
    )
    assert response.status_code == 201, response.text
    chat = response.json()
    assert chat["member_count"] == 2
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner", bob.id: "member"}


async def test_group_is_public_when_asked(client, ana):
    chat = await new_group(client, ana, public=True)
    assert chat["is_public"] is True


async def test_name_is_trimmed(client, ana):
    chat = await new_group(client, ana, name="  Team  ")
    assert chat["name"] == "Team"


async def test_name_of_80_characters_is_accepted(client, ana):
    chat = await new_group(client, ana, name="x" * 80)
    assert chat["name"] == "x" * 80


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 81},
        {"name": "a\x00b"},
        {"name": "Team", "description": "a\x00b"},
        {"name": "Team", "description": "x" * 2001},
        {"name": "Team", "member_ids": [0]},
        {"name": "Team", "member_ids": [-1]},
        {"name": "Team", "member_ids": [99999999999999999999]},
        {"name": "Team", "member_ids": "everyone"},
        {"name": "Team", "is_public": "maybe"},
    ],
    ids=[
        "missing-name",
        "empty-name",
        "blank-name",
        "long-name",
        "nul-name",
        "nul-description",
        "long-description",
        "member-0",
        "member-negative",
        "member-huge",
        "members-not-list",
        "public-not-bool",
    ],
)
async def test_invalid_group_is_refused_with_422(client, ana, body):
    assert_error(
        await client.post("/api/chats", headers=ana.headers, json=body), 422, "validation_error"
    )
    assert await my_chat_ids(client, ana) == []


async def test_too_many_member_ids_is_422(client, ana):
    body = {"name": "Team", "member_ids": list(range(1, 102))}
    assert_error(await client.post("/api/chats", headers=ana.headers, json=body), 422)


async def test_unknown_member_is_404_and_nothing_is_created(client, ana, bob):
    body = {"name": "Team", "member_ids": [bob.id, 999999]}
    assert_error(await client.post("/api/chats", headers=ana.headers, json=body), 404)
    assert await my_chat_ids(client, ana) == []
    assert await my_chat_ids(client, bob) == []


async def test_creating_a_group_needs_sign_in(client):
    assert_error(await client.post("/api/chats", json={"name": "Team"}), 401)


# --- rename and describe --------------------------------------------------------------


async def test_owner_renames_and_describes(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await client.patch(
        f"/api/chats/{chat['id']}",
        headers=ana.headers,
        json={"name": "Crew", "description": "All hands"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Crew"
    assert response.json()["description"] == "All hands"
    seen_by_bob = (await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert (seen_by_bob["name"], seen_by_bob["description"]) == ("Crew", "All hands")


async def test_admin_renames(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers, json={"role": "admin"}
    )
    response = await client.patch(
        f"/api/chats/{chat['id']}", headers=bob.headers, json={"name": "Crew"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Crew"
    assert response.json()["role"] == "admin"


async def test_member_cannot_rename(client, ana, bob):
    chat = await new_group(client, ana, bob)
    assert_error(
        await client.patch(f"/api/chats/{chat['id']}", headers=bob.headers, json={"name": "Mine"}),
        403,
        "insufficient_role",
    )
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)).json()
    assert seen["name"] == "Team"


async def test_rename_stores_a_system_message(client, ana):
    chat = await new_group(client, ana)
    await client.patch(f"/api/chats/{chat['id']}", headers=ana.headers, json={"name": "Crew"})
    assert (await system_texts(client, ana, chat["id"]))[-1] == '@ana renamed the group to "Crew"'


async def test_describing_only_stores_no_rename_message(client, ana):
    chat = await new_group(client, ana)
    before = await system_texts(client, ana, chat["id"])
    response = await client.patch(
        f"/api/chats/{chat['id']}",
        headers=ana.headers,
        json={"description": "New words", "name": "Team"},
    )
    assert response.status_code == 200, response.text
    assert await system_texts(client, ana, chat["id"]) == before


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "  "}, {"name": "x" * 81}, {"name": "a\x00"}, {"description": "\x00"}],
)
async def test_invalid_rename_is_422(client, ana, body):
    chat = await new_group(client, ana)
    assert_error(
        await client.patch(f"/api/chats/{chat['id']}", headers=ana.headers, json=body), 422
    )
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)).json()
    assert (seen["name"], seen["description"]) == ("Team", "")


# --- deletion -------------------------------------------------------------------------


async def test_owner_deletes_and_the_group_is_gone_for_everyone(client, ana, bob):
    chat = await new_group(client, ana, bob)
    response = await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert response.status_code == 204
    assert response.content == b""
    for person in (ana, bob):
        assert_error(await client.get(f"/api/chats/{chat['id']}", headers=person.headers), 404)
        assert_error(
            await client.get(f"/api/chats/{chat['id']}/messages", headers=person.headers), 404
        )
        assert_error(
            await client.get(f"/api/chats/{chat['id']}/members", headers=person.headers), 404
        )
        assert chat["id"] not in await my_chat_ids(client, person)
    assert_error(
        await client.post(
            f"/api/chats/{chat['id']}/messages", headers=bob.headers, json={"text": "hello?"}
        ),
        404,
    )


async def test_deleting_twice_is_404(client, ana):
    chat = await new_group(client, ana)
    assert (await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)).status_code == 204
    assert_error(await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers), 404)


async def test_deleted_public_group_cannot_be_joined(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert_error(await client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers), 404)


async def test_admin_cannot_delete(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers, json={"role": "admin"}
    )
    assert_error(
        await client.delete(f"/api/chats/{chat['id']}", headers=bob.headers),
        403,
        "insufficient_role",
    )
    assert len(await history(client, bob, chat["id"])) > 0


async def test_member_cannot_delete(client, ana, bob):
    chat = await new_group(client, ana, bob)
    assert_error(await client.delete(f"/api/chats/{chat['id']}", headers=bob.headers), 403)
    assert chat["id"] in await my_chat_ids(client, ana)


async def test_admin_opens_a_private_group_to_discovery(client, ana, bob):
    chat = await new_group(client, ana, name="Hidden")
    response = await client.patch(
        f"/api/chats/{chat['id']}", headers=ana.headers, json={"is_public": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["is_public"] is True
    found = (
        await client.get("/api/chats/discover", headers=bob.headers, params={"q": "Hidden"})
    ).json()
    assert [c["id"] for c in found] == [chat["id"]]

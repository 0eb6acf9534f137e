"""Chat bodies take JSON's own types only: a bool is no user id, 0 is not false."""

import pytest

from tests.chats.helpers import my_chat_ids, new_group
from tests.conftest import assert_error


@pytest.mark.parametrize("user_id", [True, "2", 2.0, [2]])
async def test_direct_chat_needs_an_integer_user_id(client, ana, bob, user_id):
    # `true` was taken as user 1 (ana herself here; another person on a busier server)
    response = await client.post(
        "/api/chats/direct", headers=bob.headers, json={"user_id": user_id}
    )
    error = assert_error(response, 422, "validation_error")
    assert "user_id" in error["message"]
    assert await my_chat_ids(client, bob) == []


@pytest.mark.parametrize("is_public", [0, 1, "false", "true", None])
async def test_is_public_needs_a_boolean(client, ana, is_public):
    body = {"name": "Team", "is_public": is_public}
    response = await client.post("/api/chats", headers=ana.headers, json=body)
    error = assert_error(response, 422, "validation_error")
    assert "is_public" in error["message"]
    assert await my_chat_ids(client, ana) == []


async def test_patch_refuses_a_number_for_a_boolean_or_a_name(client, ana):
    chat = await new_group(client, ana)
    url = f"/api/chats/{chat['id']}"
    for body in ({"is_public": 1}, {"name": 42}, {"description": 7}):
        assert_error(await client.patch(url, headers=ana.headers, json=body), 422)
    response = await client.get(url, headers=ana.headers)
    assert response.json()["is_public"] is False and response.json()["name"] == "Team"


async def test_member_ids_need_integers(client, ana, bob):
    chat = await new_group(client, ana)
    url = f"/api/chats/{chat['id']}/members"
    for ids in ([str(bob.id)], [True], [float(bob.id)]):
        assert_error(await client.post(url, headers=ana.headers, json={"user_ids": ids}), 422)
    members = (await client.get(url, headers=ana.headers)).json()
    assert [m["user_id"] for m in members] == [ana.id]


async def test_the_json_types_are_still_accepted(client, ana, bob):
    response = await client.post(
        "/api/chats", headers=ana.headers, json={"name": "Open", "is_public": True}
    )
    assert response.status_code == 201, response.text
    assert response.json()["is_public"] is True
    response = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    assert response.status_code == 201, response.text
    assert response.json()["peer"]["id"] == bob.id

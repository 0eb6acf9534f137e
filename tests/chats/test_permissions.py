"""Who may see and change a chat: a private chat doesn't exist for outsiders (404); a public
group can be looked at by anyone, but reading, writing and changing it needs membership (403).
Ids out of range are refused as input (422), never reach the database."""

from __future__ import annotations

import pytest

from tests.chats.helpers import new_group, roles
from tests.conftest import assert_error


def outsider_requests(chat_id: int, user_id: int) -> list[tuple[str, str, dict | None]]:
    """Every request an outsider could try on a chat: (method, url, json)."""
    base = f"/api/chats/{chat_id}"
    return [
        ("GET", base, None),
        ("PATCH", base, {"name": "Taken"}),
        ("DELETE", base, None),
        ("POST", f"{base}/join", None),
        ("POST", f"{base}/leave", None),
        ("GET", f"{base}/members", None),
        ("POST", f"{base}/members", {"user_ids": [user_id]}),
        ("PATCH", f"{base}/members/{user_id}", {"role": "admin"}),
        ("DELETE", f"{base}/members/{user_id}", None),
        ("GET", f"{base}/messages", None),
        ("POST", f"{base}/messages", {"text": "hello"}),
        ("POST", f"{base}/read", {"seq": 1}),
    ]


# --- private groups -------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(12))
async def test_private_group_is_404_for_outsiders_whatever_they_try(client, ana, bob, cyd, index):
    chat = await new_group(client, ana, bob)
    method, url, body = outsider_requests(chat["id"], bob.id)[index]
    response = await client.request(method, url, headers=cyd.headers, json=body)
    error = assert_error(response, 404)
    # Indistinguishable from a chat that doesn't exist at all.
    missing = await client.request(
        method, url.replace(str(chat["id"]), "999999", 1), headers=cyd.headers, json=body
    )
    assert assert_error(missing, 404) == error


async def test_private_group_is_unchanged_by_outsiders(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob)
    for method, url, body in outsider_requests(chat["id"], bob.id):
        await client.request(method, url, headers=cyd.headers, json=body)
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)).json()
    assert seen["name"] == "Team"
    assert seen["last_seq"] == chat["last_seq"]
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner", bob.id: "member"}


# --- public groups --------------------------------------------------------------------------


async def test_outsider_sees_a_public_groups_details_with_role_null(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, public=True, name="Lobby")
    response = await client.get(f"/api/chats/{chat['id']}", headers=cyd.headers)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["name"] == "Lobby"
    assert seen["role"] is None
    assert seen["member_count"] == 2
    assert seen["unread"] == 0


async def test_outsider_sees_a_public_groups_members(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, public=True)
    response = await client.get(f"/api/chats/{chat['id']}/members", headers=cyd.headers)
    assert response.status_code == 200, response.text
    assert {m["user_id"]: m["role"] for m in response.json()} == {ana.id: "owner", bob.id: "member"}


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("GET", "/messages", None),
        ("POST", "/messages", {"text": "hello"}),
        ("POST", "/read", {"seq": 1}),
        ("PATCH", "", {"name": "Taken"}),
        ("DELETE", "", None),
        ("POST", "/members", "add myself"),
        ("POST", "/leave", None),
    ],
    ids=["history", "send", "read", "rename", "delete", "add", "leave"],
)
async def test_outsider_cannot_read_write_or_change_a_public_group(
    client, ana, cyd, method, suffix, body
):
    chat = await new_group(client, ana, public=True)
    if body == "add myself":
        body = {"user_ids": [cyd.id]}
    response = await client.request(
        method, f"/api/chats/{chat['id']}{suffix}", headers=cyd.headers, json=body
    )
    assert_error(response, 403, "not_a_member")
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}


async def test_outsider_cannot_change_roles_or_remove_in_a_public_group(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, public=True)
    response = await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", headers=cyd.headers, json={"role": "admin"}
    )
    assert_error(response, 403)
    response = await client.delete(f"/api/chats/{chat['id']}/members/{bob.id}", headers=cyd.headers)
    assert_error(response, 403)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner", bob.id: "member"}


async def test_public_group_is_unchanged_by_an_outsider(client, ana, cyd):
    chat = await new_group(client, ana, public=True)
    await client.patch(f"/api/chats/{chat['id']}", headers=cyd.headers, json={"name": "Taken"})
    await client.post(
        f"/api/chats/{chat['id']}/messages", headers=cyd.headers, json={"text": "hello"}
    )
    seen = (await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)).json()
    assert seen["name"] == "Team"
    assert seen["last_seq"] == chat["last_seq"]


# --- ids out of range -----------------------------------------------------------------------

BAD_IDS = ["0", "-1", "99999999999999999999", "2147483648", "abc", "1.5"]


@pytest.mark.parametrize(
    "method,template,body",
    [
        ("GET", "/api/chats/{id}", None),
        ("PATCH", "/api/chats/{id}", {"name": "x"}),
        ("DELETE", "/api/chats/{id}", None),
        ("POST", "/api/chats/{id}/join", None),
        ("POST", "/api/chats/{id}/leave", None),
        ("GET", "/api/chats/{id}/members", None),
        ("POST", "/api/chats/{id}/members", {"user_ids": [1]}),
        ("GET", "/api/chats/{id}/messages", None),
        ("POST", "/api/chats/{id}/messages", {"text": "x"}),
        ("PATCH", "/api/chats/1/members/{id}", {"role": "admin"}),
        ("DELETE", "/api/chats/1/members/{id}", None),
    ],
    ids=[
        "read",
        "patch",
        "delete",
        "join",
        "leave",
        "members",
        "add",
        "history",
        "send",
        "set-role",
        "remove",
    ],
)
async def test_path_id_out_of_range_is_422(client, ana, method, template, body):
    await new_group(client, ana)  # chat 1 exists, so member paths reach the user id check
    for bad in BAD_IDS:
        response = await client.request(
            method, template.format(id=bad), headers=ana.headers, json=body
        )
        assert_error(response, 422, "validation_error")


# --- signing in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,url",
    [
        ("GET", "/api/chats"),
        ("GET", "/api/chats/1"),
        ("GET", "/api/chats/1/members"),
        ("POST", "/api/chats/1/join"),
        ("POST", "/api/chats/1/leave"),
        ("DELETE", "/api/chats/1"),
        ("POST", "/api/chats/direct"),
    ],
)
async def test_chats_need_sign_in(client, ana, method, url):
    await new_group(client, ana, public=True)
    assert_error(await client.request(method, url), 401)
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert_error(await client.request(method, url, headers=bad_token), 401)

"""Every JSON body refuses fields it doesn't know, naming them: a misspelt field (`user_ids`
for `member_ids`) used to be dropped in silence and the request done without it."""

from __future__ import annotations

import pytest

from tests.chats.helpers import my_chat_ids
from tests.conftest import assert_error


async def test_creating_a_group_with_a_misspelt_field_is_refused_and_creates_nothing(
    client, ana, bob
):
    response = await client.post(
        "/api/chats", headers=ana.headers, json={"name": "Team", "user_ids": [bob.id]}
    )
    error = assert_error(response, 422, "validation_error")
    assert "user_ids" in error["message"]
    assert "unknown field" in error["message"]
    assert await my_chat_ids(client, ana) == []


@pytest.mark.parametrize(
    ("method", "path", "body", "unknown"),
    [
        (
            "POST",
            "/api/auth/register",
            {"email": "x@example.com", "username": "xy_z", "password": "pw pw pw pw", "nick": "x"},
            "nick",
        ),
        ("POST", "/api/auth/login", {"login": "ana", "password": "pw", "remember": 1}, "remember"),
        ("POST", "/api/auth/password-reset", {"email": "ana@example.com", "lang": "en"}, "lang"),
        ("POST", "/api/chats/direct", {"user_id": 1, "name": "us"}, "name"),
        ("POST", "/api/chats/{chat}/messages", {"text": "hi", "reply_to_id": 1}, "reply_to_id"),
        ("POST", "/api/chats/{chat}/members", {"user_ids": [1], "role": "admin"}, "role"),
        ("PATCH", "/api/chats/{chat}", {"name": "New", "topic": "x"}, "topic"),
        ("POST", "/api/chats/{chat}/read", {"seq": 1, "chat_id": 1}, "chat_id"),
        ("PATCH", "/api/users/me", {"bio": "hi", "password": "new password"}, "password"),
    ],
)
async def test_every_body_names_the_unknown_field(client, ana, method, path, body, unknown):
    created = await client.post("/api/chats", headers=ana.headers, json={"name": "Team"})
    path = path.format(chat=created.json()["id"])
    response = await client.request(method, path, headers=ana.headers, json=body)
    error = assert_error(response, 422, "validation_error")
    assert f"{unknown}: unknown field" in error["message"]
    assert {"loc": ["body", unknown], "msg": "unknown field", "type": "extra_forbidden"} in error[
        "details"
    ]


async def test_several_unknown_fields_are_all_named(client, ana):
    response = await client.post(
        "/api/chats", headers=ana.headers, json={"name": "Team", "colour": "red", "icon": "x"}
    )
    error = assert_error(response, 422, "validation_error")
    assert "colour" in error["message"] and "icon" in error["message"]


# --- query parameters ---


async def test_a_misspelt_query_parameter_is_refused_naming_it(client, ana):
    created = await client.post("/api/chats", headers=ana.headers, json={"name": "Team"})
    path = f"/api/chats/{created.json()['id']}/messages?limt=10"
    error = assert_error(await client.get(path, headers=ana.headers), 422, "validation_error")
    assert "limt: unknown field" in error["message"]
    assert {"loc": ["query", "limt"], "msg": "unknown field", "type": "extra_forbidden"} in error[
        "details"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/chats/{chat}/messages?limit=10&after=0",
        "/api/chats/discover?q=te&limit=5",
        "/api/users?q=an&limit=5",
        "/api/search?q=hello&limit=5",
    ],
)
async def test_declared_query_parameters_still_pass(client, ana, path):
    created = await client.post("/api/chats", headers=ana.headers, json={"name": "Team"})
    response = await client.get(path.format(chat=created.json()["id"]), headers=ana.headers)
    assert response.status_code == 200, response.text


async def test_every_unknown_query_parameter_is_named(client, ana):
    response = await client.get("/api/users/me?verbose=1&fields=all", headers=ana.headers)
    error = assert_error(response, 422, "validation_error")
    assert "verbose: unknown field" in error["message"]
    assert "fields: unknown field" in error["message"]

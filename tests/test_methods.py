"""A method a path doesn't have: 405, and Allow lists every method the path does have."""

import pytest

from tests.conftest import assert_error


def allow(response) -> list[str]:
    return [m.strip() for m in response.headers["allow"].split(",")]


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("PUT", "/api/chats/1", ["GET", "PATCH", "DELETE"]),
        ("POST", "/api/chats/1", ["GET", "PATCH", "DELETE"]),
        ("PUT", "/api/chats/1/members", ["GET", "POST"]),
        ("GET", "/api/chats/1/members/2", ["PATCH", "DELETE"]),
        ("POST", "/api/messages/1", ["PATCH", "DELETE"]),
        ("POST", "/api/messages/1/reactions/x", ["PUT", "DELETE"]),
        ("PUT", "/api/users/me", ["GET", "PATCH"]),
        ("PUT", "/api/chats", ["GET", "POST"]),
        ("PUT", "/api/chats/1/messages", ["GET", "POST"]),
        ("DELETE", "/api/files/1", ["GET", "HEAD"]),
        ("GET", "/api/files", ["POST"]),
    ],
)
async def test_405_lists_every_method_of_the_path(client, ana, method, path, methods):
    response = await client.request(method, path, headers=ana.headers)
    assert_error(response, 405, "method_not_allowed")
    assert allow(response) == methods


@pytest.mark.parametrize("method", ["PATCH", "GET", "DELETE"])
async def test_a_literal_path_is_not_taken_for_a_parameter(client, ana, method):
    # /api/chats/direct is a path of its own, not chat id "direct" of /api/chats/{chat_id}
    response = await client.request(method, "/api/chats/direct", headers=ana.headers)
    assert_error(response, 405, "method_not_allowed")
    assert allow(response) == ["POST"]


async def test_methods_the_path_has_are_routed_as_before(client, ana, bob):
    response = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    assert response.status_code == 201, response.text
    chat_id = response.json()["id"]
    response = await client.patch(f"/api/chats/{chat_id}", headers=ana.headers, json={"name": "x"})
    assert response.status_code in (400, 403), response.text  # a direct chat has no name
    assert (await client.get("/api/chats/discover", headers=ana.headers)).status_code == 200
    assert_error(await client.get("/api/chats/abc", headers=ana.headers), 422)
    assert_error(await client.put("/api/nowhere", headers=ana.headers), 404)

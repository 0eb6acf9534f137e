"""A trailing-slash redirect never names the host the client claimed in its Host header: its
Location is the path (and query) alone."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error

FORGED = {"Host": "evil.example"}


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/chats/", "/api/chats"),
        ("/api/chats/?limit=5&q=a%20b", "/api/chats?limit=5&q=a%20b"),
        ("/api/users/me/", "/api/users/me"),
        ("/docs/", "/docs"),
    ],
)
async def test_redirect_location_is_relative_whatever_the_host(client, path, location):
    response = await client.get(path, headers=FORGED)
    assert response.status_code == 307
    assert response.headers["location"] == location
    assert "evil" not in response.text


async def test_redirected_request_still_works(client, ana):
    response = await client.get("/api/chats/", headers=ana.headers, follow_redirects=True)
    assert response.status_code == 200 and response.json() == []


async def test_no_answer_anywhere_reflects_the_host(client, ana):
    for path in ("/", "/docs", "/redoc", "/openapi.json", "/api/nope", "/api/users/me"):
        response = await client.get(path, headers={**FORGED, **ana.headers})
        assert "evil.example" not in response.text, path
        assert all("evil.example" not in value for value in response.headers.values()), path


async def test_a_path_without_a_route_either_way_is_still_404(client):
    assert_error(await client.get("/api/nothing-here/", headers=FORGED), 404, "not_found")
    assert_error(await client.get("//api/chats/", headers=FORGED), 404, "not_found")

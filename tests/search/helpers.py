"""Helpers of the search tests: search as someone, and read the hits."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person

# Each such test runs twice: as is (the caller's chats hold most messages) and with a crowd of
# strangers' messages (they hold little): SQLite searches those two cases differently.
CROWDED = pytest.mark.parametrize("crowded", [False, True], ids=["mine", "crowded"])


def search(client: httpx.AsyncClient, person: Person, q: str, **params):
    """The raw response of GET /api/search (a coroutine, so it can be gathered)."""
    return client.get("/api/search", headers=person.headers, params={"q": q, **params})


async def hits(client: httpx.AsyncClient, person: Person, q: str, **params) -> list[dict]:
    """The hits of a search that must succeed."""
    response = await search(client, person, q, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list), body
    for hit in body:
        assert set(hit) == {"chat_id", "message", "snippet"}, hit
        assert hit["chat_id"] == hit["message"]["chat_id"]
    return body


async def hit_texts(client: httpx.AsyncClient, person: Person, q: str, **params) -> list[str]:
    """The texts of the messages found, best first."""
    return [hit["message"]["text"] for hit in await hits(client, person, q, **params)]

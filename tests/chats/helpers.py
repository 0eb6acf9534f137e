"""Small helpers shared by the chats tests: make a group, read its history and members."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import httpx

from tests.conftest import Person


async def new_group(
    client: httpx.AsyncClient,
    owner: Person,
    *members: Person,
    name: str = "Team",
    public: bool = False,
    description: str = "",
) -> dict:
    """A group owned by `owner` with `members` in it (the chat as the owner sees it)."""
    response = await client.post(
        "/api/chats",
        headers=owner.headers,
        json={
            "name": name,
            "description": description,
            "is_public": public,
            "member_ids": [m.id for m in members],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def history(client: httpx.AsyncClient, person: Person, chat_id: int) -> list[dict]:
    response = await client.get(f"/api/chats/{chat_id}/messages", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def system_texts(client: httpx.AsyncClient, person: Person, chat_id: int) -> list[str]:
    """The texts of the chat's system messages, oldest first."""
    messages = await history(client, person, chat_id)
    for message in messages:
        if message["kind"] == "system":
            assert message["sender_id"] is None, message
    return [m["text"] for m in messages if m["kind"] == "system"]


async def roles(client: httpx.AsyncClient, person: Person, chat_id: int) -> dict[int, str]:
    """{user_id: role} of the chat's members, as `person` sees them."""
    response = await client.get(f"/api/chats/{chat_id}/members", headers=person.headers)
    assert response.status_code == 200, response.text
    return {m["user_id"]: m["role"] for m in response.json()}


async def my_chat_ids(client: httpx.AsyncClient, person: Person) -> list[int]:
    response = await client.get("/api/chats", headers=person.headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()]


async def send(client: httpx.AsyncClient, person: Person, chat_id: int, text: str) -> dict:
    response = await client.post(
        f"/api/chats/{chat_id}/messages", headers=person.headers, json={"text": text}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def at_once(*requests: Awaitable[httpx.Response]) -> list[httpx.Response]:
    """Run requests concurrently and wait for every one, even when one of them fails (so no
    request outlives the test), then raise the first failure if any."""
    results = await asyncio.gather(*requests, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results

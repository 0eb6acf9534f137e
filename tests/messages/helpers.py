"""Small helpers for the messages tests: make chats, send, read history, watch events."""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from tests.conftest import Person

MESSAGE_KEYS = {
    "id",
    "chat_id",
    "seq",
    "sender_id",
    "kind",
    "text",
    "client_id",
    "reply_to",
    "html",
    "mentions",
    "attachments",
    "reactions",
    "created_at",
    "edited_at",
    "deleted",
    "is_read",
    "pinned",
}


async def group(
    client: httpx.AsyncClient,
    owner: Person,
    *members: Person,
    public: bool = False,
    name: str = "Team",
) -> dict:
    """A group owned by `owner` with `members` in it (each addition posts a system message)."""
    response = await client.post(
        "/api/chats",
        headers=owner.headers,
        json={"name": name, "is_public": public, "member_ids": [m.id for m in members]},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def direct(client: httpx.AsyncClient, me: Person, peer: Person) -> dict:
    """The direct chat of two people: no system messages, so its seqs are only ours."""
    response = await client.post("/api/chats/direct", headers=me.headers, json={"user_id": peer.id})
    assert response.status_code in (200, 201), response.text
    return response.json()


def send(client: httpx.AsyncClient, person: Person, chat_id: int, text: str = "hello", **extra):
    """The raw response of a REST send (a coroutine, so it can be gathered)."""
    return client.post(
        f"/api/chats/{chat_id}/messages", headers=person.headers, json={"text": text, **extra}
    )


async def sent(
    client: httpx.AsyncClient, person: Person, chat_id: int, text: str = "hello", **extra
) -> dict:
    """Send a message that must be stored (201) and answer it."""
    response = await send(client, person, chat_id, text, **extra)
    assert response.status_code == 201, response.text
    return response.json()


async def history(client: httpx.AsyncClient, person: Person, chat_id: int, **params) -> list[dict]:
    response = await client.get(
        f"/api/chats/{chat_id}/messages", headers=person.headers, params=params
    )
    assert response.status_code == 200, response.text
    return response.json()


async def chat(client: httpx.AsyncClient, person: Person, chat_id: int) -> dict:
    """The chat as `person` sees it (last_seq, last_read_seq, unread, last_message)."""
    response = await client.get(f"/api/chats/{chat_id}", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def listed(client: httpx.AsyncClient, person: Person, chat_id: int) -> dict:
    """The chat as it appears in `person`'s GET /api/chats."""
    response = await client.get("/api/chats", headers=person.headers)
    assert response.status_code == 200, response.text
    matches = [c for c in response.json() if c["id"] == chat_id]
    assert len(matches) == 1, response.json()
    return matches[0]


def read(client: httpx.AsyncClient, person: Person, chat_id: int, seq: int):
    return client.post(f"/api/chats/{chat_id}/read", headers=person.headers, json={"seq": seq})


def edit(client: httpx.AsyncClient, person: Person, message_id: int, text: str):
    return client.patch(f"/api/messages/{message_id}", headers=person.headers, json={"text": text})


def delete(client: httpx.AsyncClient, person: Person, message_id: int):
    return client.delete(f"/api/messages/{message_id}", headers=person.headers)


def same_message(a: dict, b: dict) -> bool:
    """Equal messages, timestamps compared as instants (events and REST may spell them
    differently: +00:00 or Z)."""
    times = ("created_at", "edited_at")

    def when(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else value

    return {k: v for k, v in a.items() if k not in times} == {
        k: v for k, v in b.items() if k not in times
    } and all(when(a.get(k)) == when(b.get(k)) for k in times)


class EventLog:
    """Everything the app's broker delivers on the channels we subscribe to."""

    def __init__(self, broker) -> None:
        self.broker = broker
        self.received: list[tuple[str, dict]] = []
        broker.set_listener(self._on_event)

    def _on_event(self, channel: str, data: bytes) -> None:
        self.received.append((channel, json.loads(data)))

    async def watch(self, chat_id: int) -> None:
        await self.broker.subscribe(f"chat:{chat_id}")

    def of(self, kind: str, chat_id: int | None = None) -> list[dict]:
        """Events of one type, optionally only those on one chat's channel, in order."""
        return [
            event
            for channel, event in self.received
            if event["type"] == kind and (chat_id is None or channel == f"chat:{chat_id}")
        ]

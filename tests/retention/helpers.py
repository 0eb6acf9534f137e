"""A clock the tests move, and what they ask of a chat's history and of the tables."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select

from chinwag.db.base import utcnow
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Mention, Message, Reaction
from tests.conftest import Person


class Clock:
    """What the scheduler asks the time of; moved only by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def sent_at(message: dict) -> datetime:
    return datetime.fromisoformat(message["created_at"].replace("Z", "+00:00"))


def just_after(message: dict, days: int) -> datetime:
    """The moment `message` becomes `days` old, and a microsecond."""
    return sent_at(message) + timedelta(days=days, microseconds=1)


async def say(client: httpx.AsyncClient, person: Person, chat_id: int, text: str, **extra) -> dict:
    response = await client.post(
        f"/api/chats/{chat_id}/messages", json={"text": text, **extra}, headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def page(client, person: Person, chat_id: int, **cursor) -> list[dict]:
    response = await client.get(
        f"/api/chats/{chat_id}/messages", params=cursor, headers=person.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def found(client, person: Person, words: str) -> list[int]:
    response = await client.get("/api/search", params={"q": words}, headers=person.headers)
    assert response.status_code == 200, response.text
    return [hit["message"]["id"] for hit in response.json()]


def _counts(db, message_ids: list[int]) -> dict[str, int]:
    def among(table):
        return db.scalar(select(func.count()).where(table.c.message_id.in_(message_ids)))

    return {
        "messages": db.scalar(select(func.count()).where(Message.__table__.c.id.in_(message_ids))),
        "reactions": among(Reaction.__table__),
        "mentions": among(Mention.__table__),
        "attachments": among(MessageAttachment.__table__),
    }


async def rows_of(ctx, message_ids: list[int]) -> dict[str, int]:
    """How many rows of each kind still belong to these messages."""
    return await ctx.db.read(_counts, message_ids)


def _file_ids(db) -> set[int]:
    return set(db.scalars(select(StoredFile.__table__.c.id)))


async def file_ids(ctx) -> set[int]:
    return await ctx.db.read(_file_ids)

"""Fixtures of the search tests."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, update

from chinwag.chats.models import Chat
from chinwag.db.base import utcnow
from chinwag.messages.models import Message
from tests.messages.helpers import direct


@pytest.fixture
def crowd(client, ctx, signup):
    """crowd(messages) -> chat id: two strangers' direct chat holding `messages` messages
    (bulk-inserted), so the caller's chats hold little of the history (on SQLite that makes
    the index keep to the caller's chats itself, see search.fulltext)."""

    async def make(messages: int) -> int:
        one, other = await signup(), await signup()
        chat_id = (await direct(client, one, other))["id"]
        rows = [
            {"chat_id": chat_id, "seq": seq, "sender_id": one.id, "kind": "text",
             "text": f"lorem ipsum crowd {seq}", "html": "", "mentions": [],
             "created_at": utcnow()}
            for seq in range(1, messages + 1)
        ]  # fmt: skip

        def store(db) -> None:
            db.execute(insert(Message), rows)
            db.execute(update(Chat).where(Chat.id == chat_id).values(last_seq=messages))

        await ctx.db.write(store)
        return chat_id

    return make

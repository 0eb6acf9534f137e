"""Events a service gathers while it changes things, published only after the commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.realtime.broker import Broker
from chinwag.realtime.channels import chat_channel, user_channel


class PendingEvents:
    """Store first, then publish: nothing that was not stored is ever broadcast."""

    def __init__(self) -> None:
        self._items: list[tuple[str, dict]] = []

    def to_chat(self, chat_id: int, event: dict) -> None:
        self._items.append((chat_channel(chat_id), event))

    def to_user(self, user_id: int, event: dict) -> None:
        self._items.append((user_channel(user_id), event))

    async def commit_and_publish(self, db: AsyncSession, broker: Broker) -> None:
        await db.commit()
        items, self._items = self._items, []
        for channel, event in items:
            await broker.publish(channel, event)

"""Fixtures for the chats tests: a fourth person and a recorder of broker events."""

from __future__ import annotations

import json

import pytest

from chinwag.realtime.channels import chat_channel, user_channel
from tests.conftest import Person


@pytest.fixture
async def dan(signup) -> Person:
    return await signup("dan")


class EventRecorder:
    """Listens on the app's broker and keeps every event it delivers, decoded."""

    def __init__(self, broker) -> None:
        self.broker = broker
        self.received: list[tuple[str, dict]] = []

    def __call__(self, channel: str, data: str | bytes) -> None:
        # The broker hands over the event serialised once (text or bytes, as it chooses).
        assert isinstance(data, str | bytes)
        self.received.append((channel, json.loads(data)))

    async def watch_chat(self, chat_id: int) -> str:
        channel = chat_channel(chat_id)
        await self.broker.subscribe(channel)
        return channel

    async def watch_user(self, user_id: int) -> str:
        channel = user_channel(user_id)
        await self.broker.subscribe(channel)
        return channel

    def chat_and_user_events(self) -> list[tuple[str, dict]]:
        """Everything delivered on chat:* and user:* channels (not presence and the like)."""
        return [(ch, event) for ch, event in self.received if ch.startswith(("chat:", "user:"))]

    def on(self, channel: str) -> list[dict]:
        """Events delivered on `channel`, in order."""
        return [event for ch, event in self.received if ch == channel]

    def types(self, channel: str) -> list[str]:
        return [event["type"] for event in self.on(channel)]

    def clear(self) -> None:
        self.received.clear()


@pytest.fixture
def events(ctx) -> EventRecorder:
    recorder = EventRecorder(ctx.broker)
    ctx.broker.set_listener(recorder)
    return recorder

"""Fixtures of the slash command tests."""

from __future__ import annotations

import pytest

from tests.messages.helpers import EventLog


@pytest.fixture
def events(ctx) -> EventLog:
    """Records what the app's broker publishes; `await events.watch(chat_id)` first."""
    return EventLog(ctx.broker)

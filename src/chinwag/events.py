"""Events a unit gathers while it changes things, published only after its commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chinwag.realtime.broker import Broker
from chinwag.realtime.channels import chat_channel, user_channel

if TYPE_CHECKING:
    from chinwag.context import AppContext

T = TypeVar("T")


class PendingEvents:
    """Store first, then publish: nothing that was not stored is ever broadcast."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[tuple[str, dict]] = []

    def to_chat(self, chat_id: int, event: dict) -> None:
        self._items.append((chat_channel(chat_id), event))

    def to_user(self, user_id: int, event: dict) -> None:
        self._items.append((user_channel(user_id), event))

    async def publish(self, broker: Broker) -> None:
        items, self._items = self._items, []
        for channel, event in items:
            await broker.publish(channel, event)


def _with_events(db, fn: Callable[..., T], *args: Any) -> tuple[T, PendingEvents]:
    events = PendingEvents()  # a fresh list for each attempt of the unit
    return fn(db, events, *args), events


async def write_and_publish(
    ctx: AppContext, fn: Callable[..., T], *args: Any, key: int | None = None
) -> T:
    """Run the write unit `fn(db, events, *args)`; once it is committed, publish the events it
    queued, and answer what it returned."""
    result, events = await ctx.db.write(_with_events, fn, *args, key=key)
    await events.publish(ctx.broker)
    return result

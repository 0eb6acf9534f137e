"""chinwag.realtime.redis_broker.RedisBroker in this process, against the real Redis."""

import asyncio
import json
import time
import uuid

import pytest

from chinwag.realtime.broker import encode_event
from chinwag.realtime.redis_broker import RedisBroker
from tests.conftest import REDIS_URL
from tests.multiprocess.helpers import RUN_TAG, kill_redis_clients, named, our_redis_clients

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class Inbox:
    """What the broker hands its listener, as (channel, text) pairs."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    def __call__(self, channel: str, text: str) -> None:
        self.queue.put_nowait((channel, text))

    async def next(self, timeout: float = 5) -> tuple[str, str]:
        return await asyncio.wait_for(self.queue.get(), timeout)


def channel_name() -> str:
    return f"test:{RUN_TAG}:{uuid.uuid4().hex[:8]}"  # nobody else publishes here


@pytest.fixture
async def broker():
    name = f"broker-{uuid.uuid4().hex[:8]}"
    broker = RedisBroker(named(REDIS_URL, name))
    inbox = Inbox()
    broker.set_listener(inbox)
    await broker.start()
    await asyncio.wait_for(broker.connected.wait(), 5)
    yield broker, inbox, name
    await broker.close()


async def until_delivered(
    broker: RedisBroker, inbox: Inbox, channel: str, within: float = 5
) -> None:
    """Publish probes until the newest one comes back: the subscription is live (a SUBSCRIBE
    is not confirmed to the caller, so a probe may precede it and be lost). Earlier probes
    are drained on the way, so nothing of them is left in the inbox."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        probe = {"type": "probe", "id": uuid.uuid4().hex}
        await broker.publish(channel, probe)
        try:
            while await inbox.next(timeout=0.2) != (channel, encode_event(probe)):
                pass
            return
        except TimeoutError:
            continue
    pytest.fail(f"nothing delivered on {channel} within {within} s")


async def test_publish_subscribe_round_trip(broker):
    broker, inbox, _ = broker
    channel, elsewhere = channel_name(), channel_name()
    await broker.subscribe(channel)
    await until_delivered(broker, inbox, channel)

    events = [{"type": "message.new", "n": n, "text": "héllo"} for n in range(3)]
    await broker.publish(elsewhere, {"type": "not for us"})  # not subscribed: never delivered
    for event in events:
        await broker.publish(channel, event)
    received = [await inbox.next() for _ in events]
    assert received == [(channel, encode_event(e)) for e in events]
    assert [json.loads(text) for _, text in received] == events
    assert inbox.queue.empty()


async def test_broker_reconnects_and_resubscribes_after_its_connections_are_killed(broker):
    broker, inbox, name = broker
    kept = channel_name()
    await broker.subscribe(kept)
    await until_delivered(broker, inbox, kept)
    [before] = [c for c in await our_redis_clients(REDIS_URL, name) if c["flags"] == "P"]

    killed = await kill_redis_clients(REDIS_URL, name)
    assert before["id"] in {c["id"] for c in killed}
    added = channel_name()
    await broker.subscribe(added)  # asked for while the connection is down or coming back

    await until_delivered(broker, inbox, kept)  # by itself: publish and subscription are back
    await until_delivered(broker, inbox, added)
    await asyncio.wait_for(broker.connected.wait(), 5)
    [after] = [c for c in await our_redis_clients(REDIS_URL, name) if c["flags"] == "P"]
    assert after["id"] != before["id"]  # a new subscriber connection ...
    assert after["sub"] == "3"  # ... with the control channel, `kept` and `added`


async def test_namespaces_keep_deployments_sharing_one_redis_apart(broker):
    ours, inbox, _ = broker  # namespace "chinwag"
    other = RedisBroker(named(REDIS_URL, f"other-{uuid.uuid4().hex[:8]}"), namespace="elsewhere")
    theirs = Inbox()
    other.set_listener(theirs)
    await other.start()
    try:
        await asyncio.wait_for(other.connected.wait(), 5)
        channel = channel_name()
        await ours.subscribe(channel)
        await other.subscribe(channel)
        await until_delivered(ours, inbox, channel)
        await until_delivered(other, theirs, channel)
        # The same channel name, another namespace: each hears only its own deployment.
        await other.publish(channel, {"type": "theirs"})
        await ours.publish(channel, {"type": "ours"})
        assert await inbox.next() == (channel, encode_event({"type": "ours"}))
        assert await theirs.next() == (channel, encode_event({"type": "theirs"}))
        last = {"type": "last"}
        await ours.publish(channel, last)
        assert await inbox.next() == (channel, encode_event(last))  # nothing of theirs between
    finally:
        await other.close()

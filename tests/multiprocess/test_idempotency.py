"""One client_id sent to both processes at the same moment stores one message."""

import asyncio
import uuid

import pytest

from tests.multiprocess.helpers import group, live_seqs, new_message, register, rest_send

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROUNDS = 4  # a few races per transport, each with a fresh client_id


@pytest.fixture
async def pair(cluster, devices):
    ana, bob = await register(cluster.a, "ana"), await register(cluster.a, "bob")
    chat = await group(await devices(cluster.a, ana, connect=False), bob)
    return ana, bob, chat


async def assert_stored_once(device, chat_id: int, client_ids: list[str]) -> None:
    history = await device.history_after(chat_id, 0)
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))  # no gap left
    stored = [m["client_id"] for m in history if m["client_id"] in client_ids]
    assert sorted(stored) == sorted(client_ids)


async def barrier(sender, watchers, chat_id: int) -> None:
    """A message sent after everything else: once each watcher has it, it has all before."""
    last = await sender.send(chat_id, "barrier")
    for watcher in watchers:
        await watcher.wait_for(new_message(id=last["id"]), timeout=5)


async def test_same_client_id_over_rest_on_both_processes(cluster, devices, pair):
    ana, bob, chat = pair
    ana_on_a = await devices(cluster.a, ana)
    bob_on_b = await devices(cluster.b, bob)
    client_ids = []
    for n in range(ROUNDS):
        client_id = f"rest-{n}-{uuid.uuid4().hex[:8]}"
        client_ids.append(client_id)
        on_a, on_b = await asyncio.gather(
            rest_send(cluster.a, ana_on_a, chat["id"], f"once {n}", client_id),
            rest_send(cluster.b, ana_on_a, chat["id"], f"once {n}", client_id),
        )
        assert sorted([on_a.status_code, on_b.status_code]) == [200, 201], (on_a, on_b)
        assert on_a.json()["id"] == on_b.json()["id"]
        assert on_a.json()["client_id"] == client_id

    await barrier(ana_on_a, [bob_on_b, ana_on_a], chat["id"])
    await assert_stored_once(ana_on_a, chat["id"], client_ids)
    for device in (bob_on_b, ana_on_a):  # one message.new per stored message, no more
        seqs = live_seqs(device, chat["id"])
        assert len(seqs) == len(set(seqs)) == ROUNDS + 1


async def test_same_client_id_over_sockets_on_both_processes(cluster, devices, pair):
    ana, bob, chat = pair
    phone_on_a, laptop_on_b = await devices(cluster.a, ana), await devices(cluster.b, ana)
    bob_on_b = await devices(cluster.b, bob)
    client_ids = []
    for n in range(ROUNDS):
        client_id = f"ws-{n}-{uuid.uuid4().hex[:8]}"
        client_ids.append(client_id)
        from_phone, from_laptop = await asyncio.gather(
            phone_on_a.send(chat["id"], f"once {n}", client_id=client_id),
            laptop_on_b.send(chat["id"], f"once {n}", client_id=client_id),
        )
        assert from_phone["id"] == from_laptop["id"]
        assert from_phone["seq"] == from_laptop["seq"]

    await barrier(phone_on_a, [bob_on_b, phone_on_a, laptop_on_b], chat["id"])
    await assert_stored_once(bob_on_b, chat["id"], client_ids)
    for device in (bob_on_b, phone_on_a, laptop_on_b):
        seqs = live_seqs(device, chat["id"])
        assert len(seqs) == len(set(seqs)) == ROUNDS + 1

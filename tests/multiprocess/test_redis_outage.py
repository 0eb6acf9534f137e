"""Redis goes away mid-traffic and comes back: chinwag recovers by itself, without a restart.

Two ways of taking Redis away, neither of which touches anyone else using the same Redis:
- a RedisLink (a TCP relay between our pair and Redis) is cut and restored, which is what a
  process sees when Redis restarts (connections reset, then refused for a while) and lasts as
  long as the test wants, so some messages are certainly published while nobody listens;
- CLIENT KILL of exactly our processes' connections (found by their client name), as Redis
  does to every client on restart, while messages are flowing.
"""

import asyncio
import uuid

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.multiprocess.helpers import (
    delivered_within,
    group,
    kill_redis_clients,
    live_seqs,
    new_message,
    register,
    rest_send,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RECOVERY = 5.0  # seconds within which live delivery must be back


async def readyz(server) -> int:
    async with httpx.AsyncClient(timeout=10) as http:
        return (await http.get(f"{server.url}/readyz")).status_code


@pytest.fixture
def pair(linked_pair):
    """The linked pair, its link open again after each test (even a failed one)."""
    yield linked_pair
    if not linked_pair.link.is_open:
        linked_pair.link.open()


@pytest.fixture
async def chatting(pair, devices):
    """ana on A and bob on B in one chat, a message already delivered across."""
    ana, bob = await register(pair.a, "ana"), await register(pair.a, "bob")
    chat = await group(await devices(pair.a, ana, connect=False), bob)
    ana_on_a, bob_on_b = await devices(pair.a, ana), await devices(pair.b, bob)
    before = await ana_on_a.send(chat["id"], "before the outage")
    await bob_on_b.wait_for(new_message(id=before["id"]), timeout=5)
    return ana_on_a, bob_on_b, chat["id"], before


async def outage(pair, ana_on_a, bob_on_b, chat_id: int) -> list[dict]:
    """Cut Redis off, send over REST and the socket meanwhile, restore, and wait for live
    delivery to be back both ways. The messages sent during the outage."""
    await pair.link.cut()
    assert await readyz(pair.a) == 503  # the broker does not answer: not ready
    during = []
    for n in range(3):
        response = await rest_send(pair.a, ana_on_a, chat_id, f"during the outage {n}")
        assert response.status_code == 201, response.text  # stored all the same
        during.append(response.json())
    during.append(await bob_on_b.send(chat_id, "bob, during the outage"))  # acked locally
    await pair.link.restore()
    await delivered_within(RECOVERY, lambda text: ana_on_a.send(chat_id, text), bob_on_b, chat_id)
    await delivered_within(RECOVERY, lambda text: bob_on_b.send(chat_id, text), ana_on_a, chat_id)
    return during


async def test_delivery_resumes_by_itself_after_a_redis_outage(pair, chatting):
    ana_on_a, bob_on_b, chat_id, before = chatting
    during = await outage(pair, ana_on_a, bob_on_b, chat_id)

    assert await readyz(pair.a) == 200 and await readyz(pair.b) == 200
    seen_live = live_seqs(bob_on_b, chat_id)
    assert len(seen_live) == len(set(seen_live))  # nothing delivered twice
    assert not {m["seq"] for m in during} & set(seen_live)  # published while nobody listened
    history = await bob_on_b.history_after(chat_id, 0)
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    for message in [before, *during]:
        [stored] = [m for m in history if m["id"] == message["id"]]
        assert stored["text"] == message["text"]


async def test_resume_after_a_redis_outage_recovers_every_message_once(pair, chatting):
    ana_on_a, bob_on_b, chat_id, before = chatting
    during = await outage(pair, ana_on_a, bob_on_b, chat_id)

    await bob_on_b.disconnect()  # and back, as any client after trouble
    ready = await bob_on_b.connect()
    [entry] = [c for c in ready["chats"] if c["id"] == chat_id]
    store = bob_on_b.messages[chat_id]
    assert sorted(store) == list(range(1, entry["last_seq"] + 1))
    assert len({m["id"] for m in store.values()}) == len(store)
    for message in [before, *during]:
        assert store[message["seq"]]["id"] == message["id"]
        assert [m["text"] for m in store.values()].count(message["text"]) == 1


async def test_killed_redis_connections_recover_mid_traffic(cluster, devices):
    ana, bob = await register(cluster.a, "ana"), await register(cluster.a, "bob")
    chat = await group(await devices(cluster.a, ana, connect=False), bob)
    ana_on_a, bob_on_b = await devices(cluster.a, ana), await devices(cluster.b, bob)
    first = await ana_on_a.send(chat["id"], "warm up")
    await bob_on_b.wait_for(new_message(id=first["id"]), timeout=5)

    async def traffic(n: int) -> list[str]:
        client_ids = []
        for i in range(n):
            client_ids.append(f"traffic-{i}-{uuid.uuid4().hex[:6]}")
            response = await rest_send(
                cluster.a, ana_on_a, chat["id"], f"traffic {i}", client_ids[-1]
            )
            assert response.status_code == 201, response.text
        return client_ids

    flowing = asyncio.create_task(traffic(20))
    await bob_on_b.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["text"] == "traffic 2", timeout=5
    )
    killed = await kill_redis_clients(REDIS_URL, "cluster-")  # A's and B's, all of them
    assert {c["flags"] for c in killed} >= {"P", "N"}  # subscribers and command connections
    client_ids = await flowing

    await delivered_within(
        RECOVERY, lambda text: ana_on_a.send(chat["id"], text), bob_on_b, chat["id"]
    )
    await delivered_within(
        RECOVERY, lambda text: bob_on_b.send(chat["id"], text), ana_on_a, chat["id"]
    )

    history = await ana_on_a.history_after(chat["id"], 0)
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    stored = [m["client_id"] for m in history if m["client_id"] in client_ids]
    assert stored == client_ids  # every one stored, once, in order
    seen_live = live_seqs(bob_on_b, chat["id"])
    assert len(seen_live) == len(set(seen_live))

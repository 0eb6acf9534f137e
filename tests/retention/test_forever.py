"""Without CHINWAG_RETENTION_DAYS history is kept forever, except in a group whose owner set
a retention of its own."""

from __future__ import annotations

import pytest

from chinwag.retention.service import sweep_expired
from tests.chats.helpers import new_group
from tests.retention.helpers import Clock, just_after, page, say


@pytest.fixture
def settings_overrides() -> dict:
    return {"retention_batch_size": 3}


async def test_only_a_group_with_its_own_retention_loses_old_messages(client, ctx, ana, bob):
    brief = await new_group(client, ana, bob, name="brief")
    kept = await new_group(client, ana, bob, name="kept")
    response = await client.patch(
        f"/api/chats/{brief['id']}", json={"retention_days": 36500}, headers=ana.headers
    )
    assert response.status_code == 200, response.text  # no workspace limit to stay under
    response = await client.patch(
        f"/api/chats/{brief['id']}", json={"retention_days": 1}, headers=ana.headers
    )
    texts = [m["text"] for m in await page(client, ana, brief["id"])]
    assert texts[-1] == "@ana set messages to be kept for 1 day"
    for n in range(5):
        await say(client, ana, brief["id"], f"brief {n}")
    last = await say(client, ana, kept["id"], "kept forever")

    sweep = await sweep_expired(ctx, just_after(last, days=365 * 50), Clock())

    assert sweep.ran and sweep.batches >= 3
    assert await page(client, ana, brief["id"]) == []
    assert (await page(client, ana, kept["id"]))[-1]["id"] == last["id"]


async def test_with_nothing_to_expire_no_sweep_runs(client, ctx, ana):
    chat = await new_group(client, ana)
    last = await say(client, ana, chat["id"], "forever")
    sweep = await sweep_expired(ctx, just_after(last, days=365 * 90), Clock())
    assert not sweep.ran
    assert (await page(client, ana, chat["id"]))[-1]["id"] == last["id"]

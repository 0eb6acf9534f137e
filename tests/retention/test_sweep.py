"""The retention sweep on SQLite and PostgreSQL, run as the scheduler runs it: the test moves
the scheduler's clock past a message's retention and awaits the due job itself.

Every message of a test is sent now; the clock is set to the moment the last "old" one turns
30 days old (and a microsecond), so the cut falls exactly between the old and the new."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update

from chinwag.app import open_context
from chinwag.chats.models import Chat
from chinwag.db import leases
from chinwag.files.models import StoredFile
from chinwag.files.storage import file_store
from chinwag.retention import store
from chinwag.retention.service import JOB, LEASE_HOLD, sweep_expired
from tests.chats.helpers import new_group
from tests.files.helpers import uploaded
from tests.retention.helpers import Clock, file_ids, found, just_after, page, rows_of, say

BATCH = 4


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "retention_days": 30,
        "retention_batch_size": BATCH,
        "retention_sweep_seconds": 3600,
    }


@pytest.fixture
def clock(ctx) -> Clock:
    clock = Clock()
    ctx.scheduler.clock = clock
    return clock


def removed_total(kind: str) -> float:
    return REGISTRY.get_sample_value("chinwag_retention_removed_total", {"kind": kind}) or 0.0


def _storage_name(db, file_id: int) -> str:
    return db.scalar(select(StoredFile.storage_name).where(StoredFile.id == file_id))


async def test_a_due_sweep_removes_exactly_the_old_messages_and_what_hangs_off_them(
    client, ctx, clock, ana, bob
):
    chat = await new_group(client, ana, bob)
    upload = await uploaded(client, ana, b"the old plan", "plan.txt", "text/plain")
    kept_upload = await uploaded(client, ana, b"the new plan", "new.txt", "text/plain")
    old = [await say(client, ana, chat["id"], f"zebracrossing @bob number {n}") for n in range(9)]
    old.append(await say(client, ana, chat["id"], "", attachment_ids=[upload["id"]]))
    reacted = await client.put(f"/api/messages/{old[0]['id']}/reactions/👍", headers=bob.headers)
    assert reacted.status_code in (200, 201, 204), reacted.text
    new = [await say(client, bob, chat["id"], f"zebracrossing fresh {n}") for n in range(3)]
    new.append(await say(client, ana, chat["id"], "", attachment_ids=[kept_upload["id"]]))
    assert new[0]["created_at"] > old[-1]["created_at"]
    old_ids = [m["id"] for m in old]
    before = await rows_of(ctx, old_ids)
    assert before == {"messages": 10, "reactions": 1, "mentions": 9, "attachments": 1}
    stored = file_store(ctx.settings).path(await ctx.db.read(_storage_name, upload["id"]))
    assert stored.exists()
    counted = removed_total("messages"), removed_total("files")

    clock.set(just_after(old[-1], days=30))
    assert await ctx.scheduler.run_due() == [JOB]

    assert await rows_of(ctx, old_ids) == dict.fromkeys(before, 0)
    assert not stored.exists()  # nothing else used it
    assert await file_ids(ctx) == {kept_upload["id"]}
    assert set(await found(client, bob, "zebracrossing")) == {m["id"] for m in new[:3]}
    history = await page(client, bob, chat["id"])
    assert [m["id"] for m in history] == [m["id"] for m in new]
    # the group's creation and joins were older still: gone too, and counted
    assert removed_total("messages") - counted[0] >= 10
    assert removed_total("files") - counted[1] == 1
    # the job is not due again until its interval has passed
    assert await ctx.scheduler.run_due() == []


async def test_a_sweep_works_in_batches_and_paging_back_reaches_the_oldest_kept(
    client, ctx, clock, ana, bob
):
    chat = await new_group(client, ana, bob)
    old = [await say(client, ana, chat["id"], f"old {n}") for n in range(3 * BATCH + 1)]
    new = [await say(client, bob, chat["id"], f"new {n}") for n in range(5)]
    seqs_before = (await page(client, ana, chat["id"], limit=1))[0]["seq"]

    sweep = await sweep_expired(ctx, just_after(old[-1], days=30), clock)

    assert sweep.ran and sweep.messages >= len(old)  # and the group's own system messages
    assert sweep.batches == sweep.messages // BATCH + 1  # the last one came up short
    oldest_page = await page(client, ana, chat["id"], before=new[2]["seq"], limit=50)
    assert [m["text"] for m in oldest_page] == ["new 0", "new 1"]
    assert await page(client, ana, chat["id"], before=new[0]["seq"]) == []
    # seqs go on from where they were: none is used again
    after = await say(client, ana, chat["id"], "later")
    assert after["seq"] == seqs_before + 1


async def test_a_chat_whose_messages_all_went_has_no_last_message(client, ctx, clock, ana, bob):
    direct = await client.post("/api/chats/direct", json={"user_id": bob.id}, headers=ana.headers)
    chat_id = direct.json()["id"]
    last = await say(client, ana, chat_id, "see you")

    await sweep_expired(ctx, just_after(last, days=30), clock)

    listed = await client.get(f"/api/chats/{chat_id}", headers=bob.headers)
    assert listed.json()["last_message"] is None
    assert listed.json()["last_seq"] == last["seq"]  # the next message is seq + 1
    assert (await say(client, bob, chat_id, "hello again"))["seq"] == last["seq"] + 1


async def test_a_groups_shorter_retention_applies_to_it_alone(client, ctx, clock, ana, bob):
    brief = await new_group(client, ana, bob, name="brief")
    usual = await new_group(client, ana, bob, name="usual")
    set_brief = await client.patch(
        f"/api/chats/{brief['id']}", json={"retention_days": 7}, headers=ana.headers
    )
    assert set_brief.status_code == 200, set_brief.text
    in_brief = await say(client, ana, brief["id"], "in brief")
    in_usual = await say(client, ana, usual["id"], "in usual")

    await sweep_expired(ctx, just_after(in_usual, days=7), clock)

    assert await page(client, ana, brief["id"]) == []
    assert [m["id"] for m in await page(client, ana, usual["id"])][-1] == in_usual["id"]
    assert in_brief["id"] not in [m["id"] for m in await page(client, ana, usual["id"])]


async def test_sends_during_a_sweep_are_stored(client, ctx, clock, ana, bob):
    chat = await new_group(client, ana, bob)
    old = [await say(client, ana, chat["id"], f"old {n}") for n in range(4 * BATCH)]
    moment = just_after(old[-1], days=30)

    sweep, *sent = await asyncio.gather(
        sweep_expired(ctx, moment, clock),
        *(say(client, bob, chat["id"], f"during {n}") for n in range(10)),
    )

    assert sweep.ran and sweep.messages >= len(old)
    history = await page(client, ana, chat["id"])
    assert sorted(m["id"] for m in history) == sorted(m["id"] for m in sent)


async def test_two_sweeps_never_both_run(client, ctx, clock, settings, ana, bob):
    chat = await new_group(client, ana, bob)
    old = [await say(client, ana, chat["id"], f"old {n}") for n in range(2 * BATCH)]
    moment = just_after(old[-1], days=30)
    async with open_context(settings) as other:
        # another process holds the lease: this one's sweep does nothing
        assert await other.db.write(leases.claim, JOB, "other", clock(), LEASE_HOLD)
        skipped = await sweep_expired(ctx, moment, clock)
        assert not skipped.ran
        assert len(await page(client, ana, chat["id"])) >= len(old)
        await other.db.write(leases.release, JOB, "other", clock())

        # both at once: one sweeps, the other finds the lease taken or nothing left
        first, second = await asyncio.gather(
            sweep_expired(ctx, moment, clock), sweep_expired(other, moment, clock)
        )
    assert first.messages + second.messages >= len(old)
    assert first.messages == 0 or second.messages == 0
    assert await page(client, ana, chat["id"]) == []


async def test_an_expired_lease_is_taken_over(client, ctx, clock, ana, bob):
    chat = await new_group(client, ana, bob)
    old = await say(client, ana, chat["id"], "old")
    # a process that died mid-sweep: its lease runs out, then the sweep goes on without it
    assert await ctx.db.write(leases.claim, JOB, "gone", clock(), LEASE_HOLD)
    clock.set(just_after(old, days=30))
    assert (await sweep_expired(ctx, clock(), clock)).ran
    assert await page(client, ana, chat["id"]) == []


async def test_a_batch_whose_lease_was_taken_over_deletes_nothing(client, ctx, clock, ana, bob):
    chat = await new_group(client, ana, bob)
    old = await say(client, ana, chat["id"], "old")
    moment = just_after(old, days=30)
    assert await ctx.db.write(leases.claim, JOB, "the other process", clock(), LEASE_HOLD)
    lease = store.Lease(JOB, "a sweep that lost it", LEASE_HOLD)
    scope = store.Scope(30, own=False)
    removed = await ctx.db.write(store.remove_batch, lease, clock(), scope, scope.cutoff(moment), 4)
    assert removed is None
    assert old["id"] in [m["id"] for m in await page(client, ana, chat["id"])]


def _keep_for(db, chat_id: int, days: int) -> None:
    db.execute(update(Chat).where(Chat.id == chat_id).values(retention_days=days))


async def test_a_group_kept_longer_than_a_since_lowered_workspace_follows_it(
    client, ctx, clock, ana, bob
):
    chat = await new_group(client, ana, bob)
    # set while the workspace kept 90 days; CHINWAG_RETENTION_DAYS is now 30
    await ctx.db.write(_keep_for, chat["id"], 60)
    old = await say(client, ana, chat["id"], "older than 30 days")
    await sweep_expired(ctx, just_after(old, days=30), clock)
    assert await page(client, ana, chat["id"]) == []

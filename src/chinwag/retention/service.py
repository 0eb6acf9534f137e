"""The retention sweep: a job of the scheduler, run by one process at a time (a lease row),
in batches of units of their own so sends go on between them.

Deleting for retention is a hard delete, not the tombstone a user's delete leaves, and
publishes nothing: a client sees it on its next history read. Seqs are never reused (the
chat's last_seq is untouched), so a client paging back simply reaches the oldest message
kept, and a chat whose messages all went has no last_message."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chinwag.context import AppContext
from chinwag.db import leases
from chinwag.files.storage import file_store
from chinwag.metrics import RETENTION_REMOVED
from chinwag.retention import store
from chinwag.scheduler import Clock, Scheduler

log = logging.getLogger("chinwag.retention")

JOB = "retention"
# Long enough for one batch and its files; renewed by every batch, so a process that dies
# mid-sweep holds the sweep up for this long at most.
LEASE_HOLD = timedelta(minutes=5)
# The first sweep soon after start, not an interval later: a server restarted more often than
# the interval would otherwise never sweep.
FIRST_SWEEP_SECONDS = 60.0


@dataclass
class Sweep:
    ran: bool  # False: another process holds the lease (or there is nothing to keep short)
    messages: int = 0
    files: int = 0
    batches: int = 0


def schedule_retention(ctx: AppContext, scheduler: Scheduler) -> None:
    """The sweep as a job of `scheduler`, every CHINWAG_RETENTION_SWEEP_SECONDS."""

    async def run(now: datetime) -> Sweep:
        return await sweep_expired(ctx, now, scheduler.clock)

    seconds = ctx.settings.retention_sweep_seconds
    scheduler.every(JOB, seconds, run, first_in=min(seconds, FIRST_SWEEP_SECONDS))


async def sweep_expired(ctx: AppContext, now: datetime, clock: Clock) -> Sweep:
    """Delete every message past its chat's retention at `now` (the workspace's
    CHINWAG_RETENTION_DAYS or a group's own, shorter one), batch by batch, if no other
    process is sweeping. `clock` times the lease."""
    scopes = await ctx.db.read(store.scopes, ctx.settings.retention_days)
    if not scopes:
        return Sweep(ran=False)  # everything is kept forever: nothing to hold a lease for
    lease = store.Lease(JOB, secrets.token_hex(8), LEASE_HOLD)
    if not await ctx.db.write(leases.claim, lease.name, lease.holder, clock(), lease.hold):
        log.info("retention sweep skipped: another process is sweeping")
        return Sweep(ran=False)
    sweep = Sweep(ran=True)
    try:
        for scope in scopes:
            if not await _sweep_scope(ctx, sweep, lease, scope, scope.cutoff(now), clock):
                break
    finally:
        await ctx.db.write(leases.release, lease.name, lease.holder, clock())
    if sweep.messages:
        log.info("retention removed %d messages and %d files", sweep.messages, sweep.files)
    return sweep


async def _sweep_scope(
    ctx: AppContext, sweep: Sweep, lease: store.Lease, scope: store.Scope, cutoff, clock: Clock
) -> bool:
    """Batches of `scope` until none is left; False when the lease was lost."""
    size = ctx.settings.retention_batch_size
    while True:
        removed = await ctx.db.write(store.remove_batch, lease, clock(), scope, cutoff, size)
        if removed is None:
            log.warning("retention sweep stopped: its lease was taken over")
            return False
        sweep.batches += 1
        await _forget_files(ctx, removed.files)
        sweep.messages += removed.messages
        sweep.files += len(removed.files)
        RETENTION_REMOVED.labels("messages").inc(removed.messages)
        RETENTION_REMOVED.labels("files").inc(len(removed.files))
        if removed.messages < size:
            return True


async def _forget_files(ctx: AppContext, storage_names: list[str]) -> None:
    """The files' bytes and thumbnails, once their rows are committed gone."""
    files = file_store(ctx.settings)

    def remove_all() -> None:
        for name in storage_names:
            files.remove(name)

    if storage_names:
        await asyncio.to_thread(remove_all)

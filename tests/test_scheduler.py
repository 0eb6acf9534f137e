"""The in-process scheduler with a clock the test moves: a job runs when due and not before,
a failing job is logged, counted and tried again, and a job already running is awaited, not
started twice. The loop itself runs in the app (tests/retention)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from prometheus_client import REGISTRY

from chinwag.scheduler import Scheduler
from tests.retention.helpers import Clock


def runs(job: str, outcome: str) -> float:
    labels = {"job": job, "outcome": outcome}
    return REGISTRY.get_sample_value("chinwag_background_job_runs_total", labels) or 0.0


async def test_a_job_runs_once_each_interval():
    clock = Clock()
    scheduler = Scheduler(clock)
    seen = []

    async def tick(now):
        seen.append(now)

    scheduler.every("tick", 60, tick)
    assert await scheduler.run_due() == []
    clock.set(clock() + timedelta(seconds=59))
    assert await scheduler.run_due() == []
    clock.set(clock() + timedelta(seconds=1))
    assert await scheduler.run_due() == ["tick"]
    assert seen == [clock()]
    assert await scheduler.run_due() == []
    clock.set(clock() + timedelta(seconds=60))
    assert await scheduler.run_due() == ["tick"]
    assert len(seen) == 2


async def test_a_failing_job_is_logged_counted_and_tried_again(caplog):
    clock = Clock()
    scheduler = Scheduler(clock)
    attempts = []

    async def flaky(now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("the disk is full")

    scheduler.every("flaky", 3600, flaky, first_in=0)
    failed = runs("flaky", "failed")
    with caplog.at_level(logging.ERROR, "chinwag.scheduler"):
        assert await scheduler.run_due() == ["flaky"]
    assert "background job flaky failed" in caplog.text
    assert runs("flaky", "failed") == failed + 1
    clock.set(clock() + timedelta(seconds=59))
    assert await scheduler.run_due() == []  # retried after a minute, not an hour
    clock.set(clock() + timedelta(seconds=1))
    assert await scheduler.run_due() == ["flaky"]
    assert len(attempts) == 2 and runs("flaky", "ok") >= 1


async def test_a_running_job_is_awaited_not_started_again():
    clock = Clock()
    scheduler = Scheduler(clock)
    release, began = asyncio.Event(), asyncio.Event()
    started = []

    async def slow(now):
        started.append(now)
        began.set()
        await release.wait()

    scheduler.every("slow", 60, slow, first_in=0)
    first = asyncio.create_task(scheduler.run_due())
    await began.wait()
    second = asyncio.create_task(scheduler.run_due())
    release.set()
    assert await first == ["slow"] and await second == ["slow"]
    assert len(started) == 1


async def test_the_loop_runs_a_due_job_and_stops_with_it():
    clock = Clock()
    scheduler = Scheduler(clock)
    ran = asyncio.Event()

    async def job(now):
        ran.set()

    scheduler.every("soon", 60, job, first_in=0)
    scheduler.start()
    await asyncio.wait_for(ran.wait(), 5)
    await scheduler.stop()
    assert scheduler._loop is None

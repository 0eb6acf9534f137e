"""The in-process scheduler: named periodic jobs, each run when its interval has passed.

One per process, made in the app's lifespan beside the other keepers; every background job
that runs on a timetable (the retention sweep, and later scheduled messages and digests)
is a job here rather than a loop of its own. A job is `async fn(now)`: `now` is the
scheduler's clock, so a test that moves the clock forward and awaits `run_due()` runs exactly
the jobs that became due and knows when they finished, no sleeping. A job that runs on
several processes keeps itself to one at a time (chinwag.db.leases): the scheduler only says
when it is due here.

A job that fails is logged and counted (chinwag_background_job_runs_total) and tried again
after `retry` seconds (or its interval, if shorter); nothing a job raises stops the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chinwag.db.base import utcnow
from chinwag.metrics import JOB_RUNS

log = logging.getLogger("chinwag.scheduler")

Clock = Callable[[], datetime]
JobFn = Callable[[datetime], Awaitable[object]]
RETRY_SECONDS = 60.0
TICK_SECONDS = 30.0  # the loop looks again at least this often: a clock may be moved


@dataclass
class Job:
    name: str
    interval: timedelta
    run: JobFn
    retry: timedelta
    due_at: datetime
    running: asyncio.Task | None = field(default=None, repr=False)


class Scheduler:
    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock
        self.jobs: dict[str, Job] = {}
        self._loop: asyncio.Task | None = None
        self._wake = asyncio.Event()

    def every(self, name: str, seconds: float, run: JobFn, *, first_in: float | None = None) -> Job:
        """Run `run(now)` every `seconds`, first `first_in` seconds from now (default: one
        interval)."""
        interval = timedelta(seconds=seconds)
        first = interval if first_in is None else timedelta(seconds=first_in)
        retry = min(interval, timedelta(seconds=RETRY_SECONDS))
        job = Job(name, interval, run, retry, self.clock() + first)
        self.jobs[name] = job
        JOB_RUNS.labels(name, "ok")  # shown as 0 before the first run
        JOB_RUNS.labels(name, "failed")
        self._wake.set()
        return job

    async def run_due(self) -> list[str]:
        """Run every job that is due now and wait for them; answers their names. A job still
        running from an earlier call is awaited, not started twice."""
        now = self.clock()
        due = [job for job in self.jobs.values() if job.due_at <= now or job.running]
        for job in due:
            if job.running is None:
                job.running = asyncio.create_task(self._run(job, now), name=f"job-{job.name}")
        await asyncio.gather(*(job.running for job in due if job.running is not None))
        return [job.name for job in due]

    async def _run(self, job: Job, now: datetime) -> None:
        try:
            await job.run(now)
        except asyncio.CancelledError:
            raise
        except Exception:  # any failure: logged, counted and tried again, never the loop's end
            JOB_RUNS.labels(job.name, "failed").inc()
            log.exception("background job %s failed; trying again in %s", job.name, job.retry)
            job.due_at = self.clock() + job.retry
        else:
            JOB_RUNS.labels(job.name, "ok").inc()
            job.due_at = max(now + job.interval, self.clock())
        finally:
            job.running = None

    def _seconds_to_next(self) -> float:
        if not self.jobs:
            return TICK_SECONDS
        soonest = min(job.due_at for job in self.jobs.values())
        return min(max((soonest - self.clock()).total_seconds(), 0.0), TICK_SECONDS)

    async def _keep(self) -> None:
        while True:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):  # a period, or a job added
                await asyncio.wait_for(self._wake.wait(), self._seconds_to_next())
            await self.run_due()

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._keep(), name="scheduler")

    async def stop(self) -> None:
        """Stop the loop and any job it is running (a sweep stops between its batches)."""
        tasks = [self._loop] if self._loop else []
        tasks += [job.running for job in self.jobs.values() if job.running is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None

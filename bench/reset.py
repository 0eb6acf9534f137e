"""What a password-reset request costs for an address with an account and one without: the
two must take the same time, or the answer's timing tells which addresses have accounts.
Through the service layer, on SQLite and (with --postgres or CHINWAG_TEST_DATABASE_URL)
PostgreSQL, alternating known and unknown addresses.

    python bench/reset.py [--rounds 300] [--postgres URL]

Prints the median and p90 wall time per request of each kind and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from send import backend_urls, bench_settings
from sqlalchemy import insert

from chinwag.accounts.models import User
from chinwag.accounts.reset import request_reset
from chinwag.app import open_context
from chinwag.db.migrate import upgrade


def _seed(db, rounds: int) -> None:
    db.execute(
        insert(User),
        [
            {
                "email": f"known{i}@example.com",
                "username": f"known{i}",
                "password_hash": "x",
                "display_name": f"Known {i}",
                "bio": "",
                "settings": {},
            }
            for i in range(rounds)
        ],
    )


async def run(url: str, data_dir: Path, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    async with open_context(bench_settings(url, data_dir)) as ctx:
        await ctx.db.write(_seed, rounds)
        for i in range(rounds):  # each known address mails once: under the hourly limit
            for kind in ("known", "unknown"):
                started = time.perf_counter()
                await request_reset(ctx, f"{kind}{i}@example.com")
                times[kind].append(time.perf_counter() - started)
        await ctx.mail.drain()
    return times


def report(name: str, times: dict[str, list[float]]) -> None:
    def ms(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000

    known, unknown = (statistics.median(times[k]) * 1000 for k in ("known", "unknown"))
    print(
        f"{name:10} known {known:.2f} ms (p90 {ms(times['known'], 90):.2f})  "
        f"unknown {unknown:.2f} ms (p90 {ms(times['unknown'], 90):.2f})  "
        f"ratio {known / unknown:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backend_urls(args.postgres, Path(tmp), 0):
            upgrade(url)
            report(name, asyncio.run(run(url, Path(tmp) / name, args.rounds)))


if __name__ == "__main__":
    main()

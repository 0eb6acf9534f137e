"""Search latency through the service layer (terms, the caller's chats, ranked page, messages,
snippets, read state) over a large history.

    python bench/search.py [--messages 1000000] [--chats 1000] [--queries 300] [--postgres URL]

Builds `--messages` messages over `--chats` chats with bulk inserts straight into the tables
(the search index is filled by the migration's triggers on SQLite and by the generated column
on PostgreSQL, as for any send). Texts are 3 to 25 words drawn from a vocabulary of 20,000
made-up words with a Zipf-like distribution (seeded, so every run builds the same history).
200 people are members of 10 to 50 chats each, one of them of 500. Five of the first run
`--queries` searches of mixed kinds (common, middling and rare words, starts of frequent
words of 3 and 4 letters, two words), and the one in 500 chats a third of them ("wide"), on
SQLite and, when a URL is given (or CHINWAG_TEST_DATABASE_URL is set), on PostgreSQL (a fresh
database next to it, dropped afterwards). Prints build time and p50/p95 per kind and writes
bench/results/search.json. `--keep` keeps the databases and prints their URLs, to EXPLAIN or
to measure again without building with `--reuse URL`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from send import bench_settings  # bench/ is the script's directory
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.accounts.models import User
from chinwag.app import open_context
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import utcnow
from chinwag.db.migrate import upgrade
from chinwag.messages.models import Message
from chinwag.messages.rendering import render_plain
from chinwag.search.service import search_messages

VOCABULARY = 20_000
PEOPLE = 200
SEARCHERS = 5
WIDE_CHATS = 500  # one more searcher, in this many chats (an admin of a large site)
BATCH = 5_000
ENDINGS = ("", "", "n", "r", "s")
SYLLABLES = [c + v + e for c in "bcdfghklmnprstvw" for v in "aeiou" for e in ENDINGS]
KINDS = ("common", "middling", "rare", "prefix3", "prefix4", "two words")


def vocabulary(rng: random.Random) -> list[str]:
    """Made-up words, the most frequent first; frequent words tend to be short, as in speech."""
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((1, 2, 2, 3, 3, 4)))))
    # sorted() first: a set's order changes with the process's hash seed.
    return sorted(sorted(words), key=lambda w: len(w) + rng.random() * 8)


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    return list(itertools.accumulate(1 / rank**exponent for rank in range(1, count + 1)))


def message_text(rng: random.Random, words: list[str], weights: list[float]) -> str:
    chosen = rng.choices(words, cum_weights=weights, k=rng.randint(3, 25))
    chosen[0] = chosen[0].capitalize()
    if rng.random() < 0.3:
        chosen[rng.randrange(len(chosen))] += rng.choice((",", "?", "!", ":"))
    return " ".join(chosen) + rng.choice((".", "", "", "?"))


def seed_people(db, chats: int, rng: random.Random) -> tuple[list[User], list[list[int]]]:
    users = [
        User(email=f"q{i}@bench.local", username=f"searcher{i}", password_hash="x",  # noqa: S106
             display_name=f"Searcher {i}", bio="", settings={})
        for i in range(PEOPLE)
    ]  # fmt: skip
    db.add_all(users)
    chat_rows = [
        Chat(kind="group", name=f"room {i}", description="", is_public=False, last_seq=0)
        for i in range(chats)
    ]
    db.add_all(chat_rows)
    db.flush()
    members: list[list[int]] = [[] for _ in chat_rows]
    for n, user in enumerate(users):
        joins = WIDE_CHATS if n == SEARCHERS else rng.randint(10, 50)
        for index in rng.sample(range(chats), min(chats, joins)):
            members[index].append(user.id)
    db.execute(
        insert(ChatMembership),
        [
            {"chat_id": chat_rows[i].id, "user_id": uid, "role": "member", "last_read_seq": 0}
            for i, uids in enumerate(members)
            for uid in uids
        ],
    )
    return users, [[c.id, *m] for c, m in zip(chat_rows, members, strict=True)]


async def seed_messages(ctx, chats: list[list[int]], count: int, rng: random.Random) -> None:
    words = vocabulary(random.Random(1))
    weights = zipf_weights(len(words))
    seqs = [0] * len(chats)
    start = utcnow() - timedelta(seconds=count)
    for first in range(0, count, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, count)):
            index = rng.randrange(len(chats))
            chat_id, *member_ids = chats[index]
            seqs[index] += 1
            body = message_text(rng, words, weights)
            rows.append({
                "chat_id": chat_id, "seq": seqs[index], "kind": "text", "text": body,
                "sender_id": rng.choice(member_ids) if member_ids else None,
                "html": render_plain(body), "mentions": [], "attachment_count": 0,
                "reaction_count": 0, "created_at": start + timedelta(seconds=n),
            })  # fmt: skip
        await ctx.db.write(_insert_messages, rows)  # a unit (one transaction) per BATCH
    last = [{"id": chat[0], "last_seq": seq} for chat, seq in zip(chats, seqs, strict=True)]
    await ctx.db.write(_set_last_seqs, last)


def _insert_messages(db, rows: list[dict]) -> None:
    db.execute(insert(Message), rows)


def _set_last_seqs(db, rows: list[dict]) -> None:
    db.execute(update(Chat), rows)  # bulk UPDATE by primary key


def _users(db) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


def queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    words = vocabulary(random.Random(1))
    makers = {
        "common": lambda: rng.choice(words[:20]),
        "middling": lambda: rng.choice(words[100:1000]),
        "rare": lambda: rng.choice(words[5000:]),
        "prefix3": lambda: rng.choice([w for w in words[:2000] if len(w) > 3])[:3],
        "prefix4": lambda: rng.choice([w for w in words[:2000] if len(w) > 4])[:4],
        "two words": lambda: f"{rng.choice(words[:50])} {rng.choice(words[200:3000])}",
    }
    return [(KINDS[i % len(KINDS)], makers[KINDS[i % len(KINDS)]]()) for i in range(count)]


async def build(ctx, args) -> tuple[list[User], float]:
    """The history (or, with --reuse, the people of the one already there) and its build time."""
    if args.reuse:
        return await ctx.db.read(_users), 0.0
    rng = random.Random(42)
    built = time.perf_counter()
    users, chats = await ctx.db.write(seed_people, args.chats, rng)
    await seed_messages(ctx, chats, args.messages, rng)
    seconds = time.perf_counter() - built
    if ctx.db.dialect == "postgresql":
        # What autovacuum does after a bulk load: statistics, visibility, GIN pending list.
        # VACUUM can't run inside a transaction, where units run: on a connection of its own,
        # in autocommit and without the units' statement timeout.
        await _admin(ctx.settings.resolved_database_url, "VACUUM ANALYZE messages")
    return users, seconds


async def run_case(url: str, data_dir: Path, args) -> dict:
    async with open_context(bench_settings(url, data_dir)) as ctx:
        users, build_seconds = await build(ctx, args)
        load = os.getloadavg()[0]
        searches = queries(args.queries, random.Random(7))
        timings, found = await measure(ctx, users[:SEARCHERS], searches)
        wide, _ = await measure(ctx, [users[SEARCHERS]], searches[: len(searches) // 3])
    every = [t for values in timings.values() for t in values]
    return {
        "messages": args.messages,
        "chats": args.chats,
        "queries": args.queries,
        "build_seconds": round(build_seconds, 1),
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        "all_ms": _percentiles(every),
        **{f"{kind}_ms": _percentiles(values) for kind, values in timings.items()},
        "wide_ms": _percentiles([t for values in wide.values() for t in values]),
        "mean_hits": {kind: round(statistics.mean(n), 1) for kind, n in found.items()},
    }


async def measure(ctx, searchers: list[User], searches: list[tuple[str, str]]):
    """Seconds and hit counts per kind of query, the searchers taking turns."""
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    found: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for n, (kind, query) in enumerate(searches):
        started = time.perf_counter()
        page = await search_messages(ctx, searchers[n % len(searchers)], query)
        timings[kind].append(time.perf_counter() - started)
        found[kind].append(len(page))
    return timings, found


def _percentiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=20)
    return {"p50": round(statistics.median(values) * 1e3, 2), "p95": round(cuts[18] * 1e3, 2)}


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@contextmanager
def scratch_postgres(base_url: str, keep: bool) -> Iterator[str]:
    """A fresh database next to `base_url`, dropped afterwards unless `keep`."""
    name = f"chinwag_bench_search_{os.getpid()}"
    asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        if keep:
            print(f"kept {url}")
        else:
            asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_backend(backend: str, url: str, tmp: Path, args) -> dict:
    upgrade(url)  # a no-op on a --reuse database already at head
    row = {"backend": backend, **asyncio.run(run_case(url, tmp, args))}
    kinds = "  ".join(f"{k}: {row[f'{k}_ms']['p50']}/{row[f'{k}_ms']['p95']}" for k in KINDS)
    print(
        f"{backend:<11} build {row['build_seconds']} s  all p50 {row['all_ms']['p50']} ms "
        f"p95 {row['all_ms']['p95']} ms  (p50/p95 ms: {kinds}; in {WIDE_CHATS} chats: "
        f"{row['wide_ms']['p50']}/{row['wide_ms']['p95']}; load {row['load_average']})",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="run one backend")
    parser.add_argument("--keep", action="store_true", help="keep the databases (to EXPLAIN)")
    parser.add_argument("--reuse", metavar="URL", help="only search, in a database kept before")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.reuse:
            backend = make_url(args.reuse).get_backend_name()
            results.append(run_backend(backend, args.reuse, Path(tmp), args))
        if args.only != "postgresql" and not args.reuse:
            folder = Path(tempfile.mkdtemp(prefix="chinwag-search-")) if args.keep else Path(tmp)
            url = f"sqlite+aiosqlite:///{folder / 'search.db'}"
            results.append(run_backend("sqlite", url, Path(tmp), args))
            if args.keep:
                print(f"kept {url}")
        if args.postgres and args.only != "sqlite" and not args.reuse:
            with scratch_postgres(args.postgres, args.keep) as url:
                results.append(run_backend("postgresql", url, Path(tmp), args))
    out = Path(__file__).parent / "results" / "search.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"searchers": SEARCHERS, "results": results}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

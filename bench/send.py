"""Persisted messages per second through the service layer, beside the raw driver's floor.

    python bench/send.py [--messages 20000] [--postgres URL] [--chats 1,10,100]

64 concurrent senders (asyncio tasks, each awaiting its own acknowledgement, as 64 sockets
would) call send_message, the full send path: permission check, markdown rendered, mentions,
seq allocation, insert (the full-text index kept by its trigger), the sender's read pointer,
commit, then message.new published. Their messages go to 1, 10 and 100 chats, on SQLite (a
fresh file) and, when a URL is given (or CHINWAG_TEST_DATABASE_URL is set), on PostgreSQL (a
fresh database next to it).

The floor, measured in the same run on the same schema: the raw driver storing the same rows
one transaction per message (seq UPDATE + INSERT + COMMIT; Python's sqlite3 with WAL and
synchronous=NORMAL, or asyncpg from 8 tasks). Prints a table with the ratio and writes
bench/results/send.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.accounts.models import User
from chinwag.app import open_context
from chinwag.chats.models import Chat, ChatMembership
from chinwag.config import Settings
from chinwag.db.migrate import upgrade
from chinwag.messages.service import send_message

SENDERS = 64
PEOPLE = 8  # the 64 senders are 8 people with 8 devices each
CHAT_COUNTS = (1, 10, 100)
PG_FLOOR_TASKS = 8
# --texts mixed (default): a quarter each of plain text, emphasis, a link and code, a mention;
# --texts plain: what most chat lines are (no Markdown at all, the parser skipped).
TEXTS = {
    "mixed": (
        "message {i} from {name}",
        "a **bold** claim about {i}",
        "see https://example.com/{i} and `code`",
        "@sender0 can you look at {i}?",
    ),
    "plain": ("message {i} from {name}", "Sure, I will look at it. Thanks!"),
}


def _seed_unit(db, chats: int) -> tuple[list[User], list[int]]:
    users = [
        User(
            email=f"s{i}@bench.local",
            username=f"sender{i}",
            password_hash="x",  # noqa: S106 - never signs in
            display_name=f"Sender {i}",
            bio="",
            settings={},
        )
        for i in range(PEOPLE)
    ]
    db.add_all(users)
    db.flush()
    chat_ids = db.scalars(
        insert(Chat).returning(Chat.id),
        [
            {"kind": "group", "name": f"room {i}", "description": "", "is_public": True}
            for i in range(chats)
        ],
    ).all()
    db.execute(
        insert(ChatMembership),
        [{"chat_id": c, "user_id": u.id, "role": "member"} for c in chat_ids for u in users],
    )
    return users, list(chat_ids)


async def _sender(ctx, user: User, chat_ids: list[int], texts, count: int, offset: int, acks):
    for i in range(count):
        chat_id = chat_ids[(i + offset) % len(chat_ids)]
        body = texts[i % len(texts)].format(i=i, name=user.username)
        started = time.perf_counter()
        await send_message(ctx, user, chat_id, body, client_id=uuid.uuid4().hex)
        acks.append(time.perf_counter() - started)


def bench_settings(url: str, data_dir: Path) -> Settings:
    """Settings of a benchmark run: this database, no .env, migrated beforehand."""
    return Settings(
        _env_file=None,
        database_url=url,
        data_dir=data_dir,
        secret_key="b" * 40,
        migrate_on_start=False,
        # 64 senders as fast as they can: far past the per-user send limit.
        ws_rate_per_second=1e9,
        ws_rate_burst=10**9,
    )


async def run_case(url: str, data_dir: Path, chats: int, messages: int, texts: str) -> dict:
    async with open_context(bench_settings(url, data_dir)) as ctx:
        users, chat_ids = await ctx.db.write(_seed_unit, chats)
        per_sender = messages // SENDERS
        acks: list[float] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(
            *(
                _sender(ctx, users[n % PEOPLE], chat_ids, TEXTS[texts], per_sender, n * 7, acks)
                for n in range(SENDERS)
            )
        )
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    sent = per_sender * SENDERS
    cuts = statistics.quantiles(acks, n=100)
    return {
        "chats": chats,
        "messages": sent,
        "seconds": round(wall, 3),
        "per_second": round(sent / wall),
        "cpu_us_per_message": round(cpu / sent * 1e6),
        "ack_p50_ms": round(statistics.median(acks) * 1e3, 1),
        "ack_p99_ms": round(cuts[98] * 1e3, 1),
    }


_FLOOR_SEQ = "UPDATE chats SET last_seq = last_seq + 1 WHERE id = {p} RETURNING last_seq"
_FLOOR_INSERT = (
    "INSERT INTO messages (chat_id, seq, sender_id, kind, text, html, mentions, "
    "attachment_count, reaction_count, client_id, created_at) "
    "VALUES ({p}, {p}, {p}, 'text', {p}, {p}, '[]', 0, 0, {p}, {p}) RETURNING id"
)


def sqlite_floor(path: str, chat_ids: list[int], sender_id: int, messages: int) -> float:
    """Messages/s of Python's sqlite3 alone, one transaction per message."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    seq_sql, insert_sql = _FLOOR_SEQ.format(p="?"), _FLOOR_INSERT.replace("{p}", "?")
    started = time.perf_counter()
    for i in range(messages):
        chat_id = chat_ids[i % len(chat_ids)]
        conn.execute("BEGIN IMMEDIATE")
        seq = conn.execute(seq_sql, (chat_id,)).fetchone()[0]
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute(
            insert_sql, (chat_id, seq, sender_id, "floor", "<p>floor</p>", uuid.uuid4().hex, now)
        ).fetchone()
        conn.execute("COMMIT")
    rate = messages / (time.perf_counter() - started)
    conn.close()
    return rate


async def postgres_floor(url: str, chat_ids: list[int], sender_id: int, messages: int) -> float:
    """Messages/s of asyncpg alone from PG_FLOOR_TASKS tasks, one transaction per message."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool = await asyncpg.create_pool(dsn, min_size=PG_FLOOR_TASKS, max_size=PG_FLOOR_TASKS)
    seq_sql = _FLOOR_SEQ.format(p="$1")
    insert_sql = _FLOOR_INSERT.format(p="${}").format(*range(1, 8))

    async def task(n: int) -> None:
        async with pool.acquire() as conn:
            for i in range(n, messages, PG_FLOOR_TASKS):
                chat_id = chat_ids[i % len(chat_ids)]
                async with conn.transaction():
                    seq = await conn.fetchval(seq_sql, chat_id)
                    await conn.fetchval(
                        insert_sql, chat_id, seq, sender_id, "floor", "<p>floor</p>",
                        uuid.uuid4().hex, datetime.now(UTC),
                    )  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*(task(n) for n in range(PG_FLOOR_TASKS)))
    rate = messages / (time.perf_counter() - started)
    await pool.close()
    return rate


async def _floor_targets(url: str) -> tuple[list[int], int]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        chat_ids = list((await conn.execute(text("SELECT id FROM chats ORDER BY id"))).scalars())
        sender = (await conn.execute(text("SELECT min(id) FROM users"))).scalar_one()
    await engine.dispose()
    return chat_ids, sender


def floor(backend: str, url: str, messages: int) -> float:
    chat_ids, sender = asyncio.run(_floor_targets(url))
    if backend == "sqlite":
        return sqlite_floor(make_url(url).database, chat_ids, sender, messages)
    return asyncio.run(postgres_floor(url, chat_ids, sender, messages))


async def _fresh_postgres(base_url: str, name: str) -> str:
    base = make_url(base_url)
    engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def backend_urls(pg_base: str | None, tmp: Path, chats: int) -> list[tuple[str, str]]:
    urls = [("sqlite", f"sqlite+aiosqlite:///{tmp / f'send-{chats}.db'}")]
    if pg_base:
        urls.append(("postgresql", asyncio.run(_fresh_postgres(pg_base, f"chinwag_bench_{chats}"))))
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    parser.add_argument("--chats", default=",".join(map(str, CHAT_COUNTS)))
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--texts", choices=sorted(TEXTS), default="mixed")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for chats in map(int, args.chats.split(",")):
            for backend, url in backend_urls(args.postgres, Path(tmp), chats):
                upgrade(url)
                row = asyncio.run(run_case(url, Path(tmp), chats, args.messages, args.texts))
                if not args.no_floor:
                    row["floor_per_second"] = round(floor(backend, url, args.messages))
                    row["of_floor"] = round(row["per_second"] / row["floor_per_second"], 3)
                results.append({"backend": backend, "texts": args.texts, **row})
                print(
                    f"{backend:<11} {chats:>4} chats  {row['per_second']:>6} msg/s  "
                    f"{row['cpu_us_per_message']:>5} us CPU/msg  ack p50 {row['ack_p50_ms']} ms "
                    f"p99 {row['ack_p99_ms']} ms  floor {row.get('floor_per_second', '-')} msg/s "
                    f"({row.get('of_floor', '-')} of it)",
                    flush=True,
                )
    out = Path(__file__).parent / "results" / "send.json"
    out.parent.mkdir(exist_ok=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.write_text(
        json.dumps({"senders": SENDERS, "results": results, "peak_rss_kb": peak}, indent=2)
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()

"""Persisted messages per second through the service layer (send_message: permission check,
idempotency lookup, seq allocation, insert, read pointer, commit, publish).

    python bench/send.py [--messages 4000] [--postgres URL]

Four concurrent senders spread their messages over 1, 10 and 100 chats, on SQLite (a fresh
file) and, when a URL is given (or CHINWAG_TEST_DATABASE_URL is set), on PostgreSQL (a fresh
database next to it). Prints a table and writes bench/results/send.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.accounts.models import User
from chinwag.app import open_context
from chinwag.chats.models import Chat, ChatMembership
from chinwag.config import Settings
from chinwag.db.migrate import upgrade
from chinwag.messages.service import send_message

SENDERS = 4
CHAT_COUNTS = (1, 10, 100)


async def _seed(ctx, chats: int) -> tuple[list[User], list[int]]:
    async with ctx.sessionmaker() as db:
        users = [
            User(
                email=f"s{i}@bench.local",
                username=f"sender{i}",
                password_hash="x",  # noqa: S106 - never signs in
                display_name=f"Sender {i}",
                bio="",
                settings={},
            )
            for i in range(SENDERS)
        ]
        db.add_all(users)
        await db.flush()
        chat_rows = [
            Chat(kind="group", name=f"room {i}", description="", is_public=True, last_seq=0)
            for i in range(chats)
        ]
        db.add_all(chat_rows)
        await db.flush()
        db.add_all(
            ChatMembership(chat_id=c.id, user_id=u.id, role="member")
            for c in chat_rows
            for u in users
        )
        await db.commit()
        return users, [c.id for c in chat_rows]


async def _sender(ctx, user: User, chat_ids: list[int], count: int, offset: int) -> None:
    for i in range(count):
        chat_id = chat_ids[(i + offset) % len(chat_ids)]
        async with ctx.sessionmaker() as db:
            await send_message(
                db,
                ctx,
                user,
                chat_id,
                f"message {i} from {user.username}",
                client_id=uuid.uuid4().hex,
            )


def bench_settings(url: str, data_dir: Path) -> Settings:
    """Settings of a benchmark run: this database, no .env, migrated beforehand."""
    return Settings(
        _env_file=None,
        database_url=url,
        data_dir=data_dir,
        secret_key="b" * 40,
        migrate_on_start=False,
    )


async def run_case(url: str, data_dir: Path, chats: int, messages: int) -> dict:
    async with open_context(bench_settings(url, data_dir)) as ctx:
        users, chat_ids = await _seed(ctx, chats)
        per_sender = messages // SENDERS
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(
            *(_sender(ctx, u, chat_ids, per_sender, n * 7) for n, u in enumerate(users))
        )
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    sent = per_sender * SENDERS
    return {
        "chats": chats,
        "messages": sent,
        "seconds": round(wall, 3),
        "per_second": round(sent / wall),
        "cpu_us_per_message": round(cpu / sent * 1e6),
    }


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
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for chats in CHAT_COUNTS:
            for backend, url in backend_urls(args.postgres, Path(tmp), chats):
                upgrade(url)
                row = asyncio.run(run_case(url, Path(tmp), chats, args.messages))
                results.append({"backend": backend, **row})
                print(
                    f"{backend:<11} {chats:>4} chats  {row['per_second']:>6} msg/s  "
                    f"{row['cpu_us_per_message']:>5} us CPU/msg  ({row['messages']} in "
                    f"{row['seconds']} s)",
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

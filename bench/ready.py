"""What opening a socket costs the server, and the chat list: CPU per operation through the
service layer, on SQLite and (with --postgres or CHINWAG_TEST_DATABASE_URL) PostgreSQL.

    python bench/ready.py [--chats 20] [--list-chats 100] [--rounds 500] [--postgres URL]

- open: what /ws does before the socket is usable: authenticate the access token, read the
  chat ids to subscribe to, build the `ready` frame (profile, chats with unread counts and last
  messages, who is online), for a user in --chats chats of 5 members with 30 messages each.
- list: GET /api/chats's work (listing.my_chats) for a user in --list-chats chats.

Reports µs of CPU per operation (this process: the event loop and the database threads; on
PostgreSQL the server's own CPU is not counted) and the connects/s one core would sustain.
Writes bench/results/ready.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from send import backend_urls, bench_settings
from sqlalchemy import insert

from chinwag.accounts import auth
from chinwag.accounts.models import User
from chinwag.app import open_context
from chinwag.chats import listing
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.migrate import upgrade
from chinwag.messages.service import send_message
from chinwag.realtime import service

MEMBERS = 5
MESSAGES = 30


def _seed_unit(db, chats: int, opened: int) -> tuple[list[User], list[int]]:
    users = [
        User(email=f"r{i}@bench.local", username=f"reader{i}", password_hash="x",  # noqa: S106
             display_name=f"Reader {i}", bio="", settings={})
        for i in range(MEMBERS)
    ]  # fmt: skip
    db.add_all(users)
    db.flush()
    chat_ids = db.scalars(
        insert(Chat).returning(Chat.id),
        [{"kind": "group", "name": f"room {i}", "description": ""} for i in range(chats)],
    ).all()
    # users[0] is in every chat (the list); the others in the first `opened` (the socket).
    db.execute(
        insert(ChatMembership),
        [
            {"chat_id": c, "user_id": u.id, "role": "member"}
            for n, c in enumerate(chat_ids)
            for u in (users if n < opened else users[:1])
        ],
    )
    return users, list(chat_ids)


async def _measure(rounds: int, operation) -> float:
    await operation()  # warm: statements compiled, connections open
    cpu = time.process_time()
    for _ in range(rounds):
        await operation()
    return (time.process_time() - cpu) / rounds * 1e6


async def run_case(url: str, data_dir: Path, chats: int, list_chats: int, rounds: int) -> dict:
    async with open_context(bench_settings(url, data_dir)) as ctx:
        users, chat_ids = await ctx.db.write(_seed_unit, max(chats, list_chats), chats)
        me, opener = users[0], users[1]
        for n in range(MESSAGES):
            for chat_id in chat_ids[:chats]:
                await send_message(ctx, users[n % MEMBERS], chat_id, f"line {n}")
        token = await _token(ctx, opener)

        async def open_socket() -> None:
            # as the gateway does: the caller and their chat ids in one unit, then `ready`
            caller, _ = await auth.authenticate_reading(ctx, token, service.chat_ids_unit)
            await service.ready_frame(ctx, caller.user)

        open_us = await _measure(rounds, open_socket)
        list_us = await _measure(rounds, lambda: ctx.db.read(listing.my_chats, me.id))
    return {
        "chats": chats,
        "open_cpu_us": round(open_us),
        "connects_per_core_s": round(1e6 / open_us),
        "list_chats": list_chats,
        "list_cpu_us": round(list_us),
    }


async def _token(ctx, user: User) -> str:
    signed = await ctx.db.write(auth.open_session, ctx, user, "bench")
    return signed.access_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--list-chats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend, url in backend_urls(args.postgres, Path(tmp), 0):
            upgrade(url)
            row = asyncio.run(run_case(url, Path(tmp), args.chats, args.list_chats, args.rounds))
            results.append({"backend": backend, **row})
            print(
                f"{backend:<11} open socket ({row['chats']} chats): {row['open_cpu_us']} us CPU "
                f"(~{row['connects_per_core_s']}/s per core)   GET /api/chats "
                f"({row['list_chats']} chats): {row['list_cpu_us']} us CPU",
                flush=True,
            )
    out = Path(__file__).parent / "results" / "ready.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

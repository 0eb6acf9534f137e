"""History pages through the service layer (membership check, page query, read state, and
the extras a page shows: attachments, reactions, quoted replies).

    python bench/history.py [--messages 20000] [--pages 400] [--postgres URL]

One group of 20 members holds `--messages` messages; every 10th has a reaction, every 20th
quotes an earlier one and every 50th carries a file. Reads `--pages` pages of 50: the latest
page, pages `before` random seqs (scrolling back) and pages `after` random seqs (resume), on
SQLite and, when a URL is given (or CHINWAG_TEST_DATABASE_URL is set), on PostgreSQL. Prints
p50/p95 per kind and the server's CPU per page (this process's, the SQLite reader threads
included; not the PostgreSQL server's), and writes bench/results/history.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from send import backend_urls, bench_settings  # bench/ is the script's directory
from sqlalchemy import insert, update

from chinwag.accounts.models import User
from chinwag.app import open_context
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import utcnow
from chinwag.db.migrate import upgrade
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Message, Reaction
from chinwag.messages.rendering import render_markdown
from chinwag.messages.service import history

MEMBERS = 20
PAGE = 50
BATCH = 2000


def _seed_people(db) -> tuple[list[User], int, int]:
    users = [
        User(email=f"h{i}@bench.local", username=f"reader{i}", password_hash="x",  # noqa: S106
             display_name=f"Reader {i}", bio="", settings={})
        for i in range(MEMBERS)
    ]  # fmt: skip
    db.add_all(users)
    db.flush()
    chat = Chat(kind="group", name="history", description="", is_public=False, last_seq=0)
    db.add(chat)
    db.flush()
    db.add_all(ChatMembership(chat_id=chat.id, user_id=u.id, role="member") for u in users)
    stored = StoredFile(
        uploader_id=users[0].id,
        filename="plan.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        storage_name="bench-file",
        is_image=False,
    )
    db.add(stored)
    db.flush()
    return users, chat.id, stored.id


def _row(chat_id: int, seq: int, users: list[User]) -> dict:
    text = f"message {seq}: **status** update, see https://example.com/{seq}"
    return {
        "chat_id": chat_id, "seq": seq, "sender_id": users[seq % MEMBERS].id, "kind": "text",
        "text": text, "html": render_markdown(text), "mentions": [],
        "reply_to_id": None, "attachment_count": int(seq % 50 == 0),
        "reaction_count": int(seq % 10 == 0), "created_at": utcnow(),
    }  # fmt: skip


def _seed_batch(db, users: list[User], chat_id: int, file_id: int, seqs: range) -> None:
    """One write unit: the messages `seqs`, their reactions, files and quoted replies."""
    rows = [_row(chat_id, seq, users) for seq in seqs]
    ids = db.execute(insert(Message).returning(Message.id, Message.seq), rows).all()
    by_seq = {seq: mid for mid, seq in ids}
    reactions = [
        {"message_id": mid, "user_id": users[s % MEMBERS].id, "emoji": "👍", "created_at": utcnow()}
        for s, mid in by_seq.items()
        if s % 10 == 0
    ]
    if reactions:
        db.execute(insert(Reaction), reactions)
    files = [
        {"message_id": mid, "file_id": file_id, "chat_id": chat_id, "position": 0}
        for s, mid in by_seq.items()
        if s % 50 == 0
    ]
    if files:
        db.execute(insert(MessageAttachment), files)
    replies = [
        {"id": by_seq[s], "reply_to_id": by_seq[s - 1]}
        for s in by_seq
        if s % 20 == 0 and s > 1 and s - 1 in by_seq
    ]
    if replies:
        db.execute(update(Message), replies)  # bulk UPDATE by primary key


def _seed_finish(db, chat_id: int, count: int) -> None:
    db.execute(update(Chat).where(Chat.id == chat_id).values(last_seq=count))
    db.execute(update(ChatMembership).values(last_read_seq=count // 2))


async def _seed(ctx, count: int) -> tuple[list[User], int]:
    """The people, then the messages a unit per BATCH (each unit stays well inside the
    database's bounded waits), then the chat's seq and everyone's read pointer."""
    users, chat_id, file_id = await ctx.db.write(_seed_people)
    for start in range(1, count + 1, BATCH):
        seqs = range(start, min(start + BATCH, count + 1))
        await ctx.db.write(_seed_batch, users, chat_id, file_id, seqs)
    await ctx.db.write(_seed_finish, chat_id, count)
    return users, chat_id


def _cursors(count: int, pages: int, rng: random.Random) -> list[tuple[str, dict]]:
    kinds = []
    for i in range(pages):
        kind = ("latest", "before", "after")[i % 3]
        if kind == "latest":
            kinds.append((kind, {}))
        elif kind == "before":
            kinds.append((kind, {"before": rng.randint(PAGE, count)}))
        else:
            kinds.append((kind, {"after": rng.randint(0, count - PAGE)}))
    return kinds


async def run_case(url: str, data_dir: Path, count: int, pages: int) -> dict:
    async with open_context(bench_settings(url, data_dir)) as ctx:
        users, chat_id = await _seed(ctx, count)
        reader = users[1]
        timings: dict[str, list[float]] = {"latest": [], "before": [], "after": []}
        cpu0 = time.process_time()
        for kind, cursor in _cursors(count, pages, random.Random(7)):
            started = time.perf_counter()
            page = await history(ctx, reader, chat_id, limit=PAGE, **cursor)
            timings[kind].append(time.perf_counter() - started)
            assert len(page) == PAGE
        cpu = time.process_time() - cpu0
    return {
        "messages": count,
        "pages": pages,
        "cpu_ms_per_page": round(cpu / pages * 1e3, 2),
        **{f"{kind}_ms": _percentiles(values) for kind, values in timings.items()},
    }


def _percentiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=20)
    return {"p50": round(statistics.median(values) * 1e3, 2), "p95": round(cuts[18] * 1e3, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--postgres", default=os.environ.get("CHINWAG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend, url in backend_urls(args.postgres, Path(tmp), 0):
            upgrade(url)
            row = asyncio.run(run_case(url, Path(tmp), args.messages, args.pages))
            results.append({"backend": backend, **row})
            kinds = "  ".join(
                f"{k}: p50 {row[f'{k}_ms']['p50']} ms p95 {row[f'{k}_ms']['p95']} ms"
                for k in ("latest", "before", "after")
            )
            print(f"{backend:<11} {kinds}  ({row['cpu_ms_per_page']} ms CPU/page)", flush=True)
    out = Path(__file__).parent / "results" / "history.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"page": PAGE, "results": results}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

"""A seed-sized day: --users people in groups of --group-size (Campfire's own load test:
10,000 users, 200 rooms) plus direct chats (everyone in one, with a random partner), all
connecting at once, then random people sending --rate messages/s for --seconds over their
sockets (--direct-share of them in their direct chat); every delivery is timed and counted.

    python bench/day.py [--users 10000] [--group-size 50] [--rate 200] [--seconds 60]
                        [--direct-share 0.2] [--concurrency 10000] [--no-pin]
                        [--postgres URL --redis URL --workers 2]

By default one `chinwag serve` on SQLite (pinned to core 0 unless --no-pin; the clients, one
process on uvloop, on core 1). With --postgres and --redis: `chinwag serve --workers N` on a
fresh PostgreSQL database and Redis (nothing pinned: the workers and the clients share the
cores). Reports: seconds until every socket has `ready` and connects/s, RSS per socket,
deliveries/s, send-to-receive p50/p99/max (a message counts as received by each member's
socket, the sender's own included), messages and deliveries lost, server CPU per delivery
(every worker's). Writes bench/results/day.json (day-postgres.json with --postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from pathlib import Path

import uvloop
import wsload

from chinwag.db.migrate import upgrade

NEW = b'{"type":"message.new"'


class Deliveries:
    """Send times by message marker, and every delivery's latency."""

    def __init__(self) -> None:
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.received: dict[str, int] = {}

    def on_text(self, _socket, payload: bytes, now: float) -> None:
        if not payload.startswith(NEW):
            return
        text = json.loads(payload)["message"]["text"]
        sent = self.sent_at.get(text)
        if sent is not None:
            self.latencies.append(now - sent)
            self.received[text] = self.received.get(text, 0) + 1


async def _send_for(args, sockets, chats, chat_ids, deliveries: Deliveries) -> dict[int, int]:
    """Random members send at --rate for --seconds, in a group or (--direct-share of the
    time) their direct chat; returns how many messages were sent, by chat size."""
    loop = asyncio.get_running_loop()
    groups, direct = chats
    interval, sent, by_size = 1 / args.rate, 0, {}
    began = loop.time()
    while (elapsed := loop.time() - began) < args.seconds:
        due = int(elapsed / interval) + 1
        while sent < due:
            if direct and random.random() < args.direct_share:  # noqa: S311 - load, not secrets
                chat = len(groups) + random.randrange(len(direct))  # noqa: S311
                members = direct[chat - len(groups)]
            else:
                chat = random.randrange(len(groups))  # noqa: S311
                members = groups[chat]
            member = random.choice(members)  # noqa: S311
            sock = sockets[member]
            if sock is not None and not sock.lost:
                text = f"day {sent}"
                deliveries.sent_at[text] = time.perf_counter()
                frame = {
                    "type": "message.send",
                    "chat_id": chat_ids[chat],
                    "text": text,
                    "client_id": f"c{sent}",
                }
                sock.send_text(json.dumps(frame))
                by_size[len(members)] = by_size.get(len(members), 0) + 1
            sent += 1
        await asyncio.sleep(interval / 2)
    return by_size


def _pairs(users: int, rng: random.Random) -> list[tuple[int, int]]:
    """Everyone in one direct chat with a random partner (an odd one out has none)."""
    order = list(range(users))
    rng.shuffle(order)
    return list(zip(order[0::2], order[1::2], strict=False))


async def _server(args, tmp: Path, cores, nofile: int):
    """The server and the database it uses (seeded by the caller)."""
    port = wsload.free_port()
    if not args.postgres:
        url = wsload.sqlite_url(tmp)
        return url, wsload.chinwag_server(tmp, port, cores[0], nofile, "WARNING")
    from send import _fresh_postgres  # bench/ is the script's directory

    url = await _fresh_postgres(args.postgres, "chinwag_bench_day")
    env = {
        "CHINWAG_DATABASE_URL": url,
        "CHINWAG_BROKER_URL": args.redis,
        "CHINWAG_REDIS_NAMESPACE": f"bench-day-{os.getpid()}",
    }
    server = wsload.chinwag_server(
        tmp, port, None, nofile, "WARNING", workers=args.workers, env=env
    )
    return url, server


async def run(args, tmp: Path) -> dict:
    cores = wsload.pick_cores(not args.no_pin and not args.postgres)
    nofile = wsload.raise_nofile(args.users + 1000)
    url, server = await _server(args, tmp, cores, nofile)
    await asyncio.to_thread(upgrade, url)
    groups = [range(i, i + args.group_size) for i in range(0, args.users, args.group_size)]
    direct = _pairs(args.users, random.Random(7)) if args.direct_share > 0 else []
    tokens, chat_ids = await wsload.seed(url, args.users, groups, direct)
    deliveries = Deliveries()
    errors: list[str] = []
    await server.start()
    try:
        rss0, cpu0 = server.rss_kib(), server.cpu()
        began = time.perf_counter()
        sockets, _, errors = await wsload.open_sockets(
            server.port,
            tokens,
            compression=False,
            on_text=deliveries.on_text,
            wait_ready=True,
            concurrency=args.concurrency,
        )
        connect_seconds = time.perf_counter() - began
        rss1 = server.rss_kib()
        cpu1 = server.cpu()
        by_size = await _send_for(args, sockets, (groups, direct), chat_ids, deliveries)
        await asyncio.sleep(args.drain)  # the last messages' deliveries arrive
        cpu2 = server.cpu()
        for sock in sockets:
            if sock is not None:
                sock.abort()
    finally:
        await server.stop()
        if errors:
            lines = server.log_path.read_text().splitlines()
            notable = [line for line in lines if " WARNING " in line or " ERROR " in line]
            print(f"the server logged {len(notable)} warnings and errors, e.g.:", flush=True)
            print("\n".join(sorted({line.split(" ", 2)[-1][:200] for line in notable})[:20]))
    opened = sum(1 for s in sockets if s is not None)
    sent = sum(by_size.values())
    expected = sum(size * count for size, count in by_size.items())
    latencies = sorted(deliveries.latencies)
    result = {
        "config": vars(args),
        "cores": {"server": cores[0], "client": cores[1]},
        "sockets": {"wanted": args.users, "ready": opened, "errors": errors[:5]},
        "connect_seconds": round(connect_seconds, 2),
        "connects_per_second": round(opened / connect_seconds),
        "connect_server_cpu_seconds": round(cpu1 - cpu0, 2),
        "rss_kib_per_socket": round((rss1 - rss0) / max(1, opened), 1),
        "backend": f"postgresql+redis, {args.workers} workers" if args.postgres else "sqlite",
        "sent": sent,
        "sent_direct": by_size.get(2, 0),
        "deliveries": len(latencies),
        "expected_deliveries": expected,
        "lost_deliveries": expected - len(latencies),
        "messages_never_received": sum(
            1 for t in deliveries.sent_at if t not in deliveries.received
        ),
        "deliveries_per_second": round(len(latencies) / args.seconds),
        "latency_ms": {
            "p50": round(wsload.percentile(latencies, 0.50) * 1000, 1),
            "p99": round(wsload.percentile(latencies, 0.99) * 1000, 1),
            "max": round(latencies[-1] * 1000, 1) if latencies else None,
        },
        "server_cpu_us_per_delivery": round((cpu2 - cpu1) / max(1, len(latencies)) * 1e6, 2),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--group-size", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--drain", type=float, default=3, help="seconds to wait after the last send"
    )
    parser.add_argument("--concurrency", type=int, default=10_000, help="handshakes at once")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--direct-share", type=float, default=0.2, help="sends in direct chats")
    parser.add_argument("--postgres", help="PostgreSQL URL (a fresh database beside it)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=2, help="with --postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = uvloop.run(run(args, Path(tmp)))
    r = result
    print(
        f"{r['backend']}: "
        f"{r['sockets']['ready']}/{args.users} sockets ready in {r['connect_seconds']} s "
        f"({r['connects_per_second']}/s, {r['connect_server_cpu_seconds']} s server CPU), "
        f"{r['rss_kib_per_socket']} KiB RSS per socket"
    )
    lat = r["latency_ms"]
    print(
        f"{r['sent']} sent ({r['sent_direct']} direct), "
        f"{r['deliveries']}/{r['expected_deliveries']} delivered "
        f"({r['lost_deliveries']} lost), {r['deliveries_per_second']} deliveries/s, "
        f"p50 {lat['p50']} ms p99 {lat['p99']} ms max {lat['max']} ms, "
        f"{r['server_cpu_us_per_delivery']} us server CPU per delivery"
    )
    out = Path(__file__).parent / "results" / ("day-postgres.json" if args.postgres else "day.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

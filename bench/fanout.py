"""Fan-out of one big group: deliveries per second, send-to-receive latency and server CPU per
delivery, for chinwag and for a bare websockets broadcast server under the same load.

    python bench/fanout.py [--members 1000] [--rates 20,50] [--duration 10]
                           [--compression deflate,none] [--transport ws|socketio] [--quick]

One group of --members users, each with one socket to one `chinwag serve` process (a fresh
SQLite file, seeded with bulk inserts before the server starts). One member sends
`message.send` frames over its socket at each rate for --duration seconds, with the send time
in the text; every socket (the sender's too) counts its `message.new` frames and the latency.
The same load then goes to bench/bare_broadcast.py (no auth, no storage): the floor for
Python. Server and client are pinned to different cores; all sockets live in this one process
on uvloop (websockets' sans-I/O ClientProtocol for handshakes and sends, a small parser for
received frames: see wsload.Socket), whose own CPU is reported too. A rate the server can't
keep up with shows as deliveries/s below members x rate and latency growing over the run.
With --transport socketio the same load also runs over Socket.IO (/socket.io/, the same
server, the clients speaking Engine.IO 4 over WebSocket as socket.io-client does), beside
the native /ws run: `ratios` then compares the two transports' server CPU per delivery.
Prints a table and writes bench/results/fanout.json (fanout-socketio.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import uvloop
import wsload

MESSAGE_PREFIXES = (b'{"type":"message.new"', b'{"type":"message.send"')
TEXT_KEY = b'"text":"#'


class Tally:
    """What the receiving sockets saw of the current run (frames tagged `#r<run>@<time>#`)."""

    def __init__(self) -> None:
        self.run_tag = b""
        self.reset(b"none")

    def reset(self, run_tag: bytes) -> None:
        self.run_tag = run_tag
        self.latencies: list[float] = []
        self.last_at = 0.0
        self.stray = 0  # deliveries of an earlier run (warm-up) arriving late
        self.other = 0  # acks, presence, anything else

    def on_text(self, _sock, data: bytes, now: float) -> None:
        if data.startswith(MESSAGE_PREFIXES):
            start = data.find(TEXT_KEY)
            if start >= 0:
                start += len(TEXT_KEY)
                tag, _, sent = data[start : data.find(b"#", start)].partition(b"@")
                if tag == self.run_tag:
                    self.latencies.append(now - float(sent))
                    self.last_at = now
                else:
                    self.stray += 1
                return
        self.other += 1


async def send_at_rate(
    sender: wsload.Socket, chat_id: int, tag: str, rate: float, seconds: float
) -> tuple[int, float]:
    """Send rate*seconds messages on a fixed schedule; returns (count, perf_counter start)."""
    count = round(rate * seconds)
    started = time.perf_counter()
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if sender.lost:  # closed by the server (1013 when its send queue overflowed)
            return i, started
        text = f"#{tag}@{time.perf_counter():.6f}#"
        sender.send_text(
            json.dumps(
                {
                    "type": "message.send",
                    "chat_id": chat_id,
                    "text": text,
                    "client_id": uuid.uuid4().hex,
                },
                separators=(",", ":"),
            )
        )
    return count, started


async def wait_delivered(tally: Tally, expected: int, patience: float) -> None:
    """Until every delivery arrived, or none arrived for `patience` seconds."""
    seen, quiet_since = -1, time.monotonic()
    while len(tally.latencies) < expected:
        if len(tally.latencies) != seen:
            seen, quiet_since = len(tally.latencies), time.monotonic()
        elif time.monotonic() - quiet_since > patience:
            return
        await asyncio.sleep(0.05)


async def measure(
    server: wsload.ServerProcess,
    sockets: list[wsload.Socket],
    tally: Tally,
    chat_id: int,
    run: str,
    rate: float,
    seconds: float,
) -> dict:
    members = sum(1 for s in sockets if not s.lost)
    tally.reset(run.encode())
    cpu0, client0 = server.cpu(), wsload.self_cpu()
    sent, started = await send_at_rate(sockets[0], chat_id, run, rate, seconds)
    await wait_delivered(tally, sent * members, patience=5)
    cpu, client = server.cpu() - cpu0, wsload.self_cpu() - client0
    wall = time.perf_counter() - started
    delivered = len(tally.latencies)
    span = (tally.last_at - started) if delivered else wall
    lat = sorted(tally.latencies)
    closed = Counter(str(s.close_code) for s in sockets if s.lost)
    return {
        "rate": rate,
        "seconds": seconds,
        "members": members,
        "sent": sent,
        "expected": sent * members,
        "delivered": delivered,
        "lost_sockets": sum(closed.values()),
        "close_codes": dict(closed),
        "sender_lost": sockets[0].lost,
        "deliveries_per_second": round(delivered / span) if span > 0 else 0,
        "latency_ms": {
            "p50": round(wsload.percentile(lat, 0.50) * 1e3, 2),
            "p99": round(wsload.percentile(lat, 0.99) * 1e3, 2),
            "max": round(lat[-1] * 1e3, 2) if lat else None,
        },
        "server_cpu_seconds": round(cpu, 2),
        "server_cpu_percent": round(cpu / wall * 100),
        "server_cpu_us_per_delivery": round(cpu / delivered * 1e6, 2) if delivered else None,
        "client_cpu_percent": round(client / wall * 100),
        "client_cpu_us_per_delivery": round(client / delivered * 1e6, 2) if delivered else None,
        "other_frames": tally.other,
        "stray_frames": tally.stray,
    }


async def run_server(
    kind: str,
    args,
    tmp: Path,
    tokens: list[str],
    chat_id: int,
    compression: str,
    cores: tuple[int | None, int | None],
    nofile: int,
) -> tuple[dict, list[dict]]:
    port = wsload.free_port()
    chinwag = kind in ("chinwag", "socketio")
    if chinwag:
        server = wsload.chinwag_server(tmp, port, cores[0], nofile)
    else:
        server = wsload.bare_server(tmp, port, cores[0], nofile)
    tally = Tally()
    await server.start()
    try:
        cpu0, began = server.cpu(), time.perf_counter()
        sockets, waits, errors = await wsload.open_sockets(
            port,
            tokens if chinwag else [None] * len(tokens),
            compression=compression == "deflate",
            on_text=tally.on_text,
            wait_ready=chinwag,
            concurrency=args.concurrency,
            parser=args.parser,
            transport="socketio" if kind == "socketio" else "ws",
        )
        if errors:
            raise RuntimeError(f"{len(errors)} sockets failed to open, e.g. {errors[0]}")
        # chinwag tells everyone already online about each newcomer: let that settle.
        await wait_quiet(tally, 1.0)
        setup = {
            "server": kind,
            "compression": compression,
            "sockets": len(sockets),
            "connect_seconds": round(time.perf_counter() - began, 2),
            "connect_server_cpu_seconds": round(server.cpu() - cpu0, 2),
            "frames_while_connecting": tally.other,
            "server_rss_mib": round(server.rss_kib() / 1024, 1),
        }
        print(
            f"  {kind} ({compression}): {len(sockets)} sockets open in "
            f"{setup['connect_seconds']} s, {tally.other} other frames received meanwhile",
            flush=True,
        )
        await measure(server, sockets, tally, chat_id, "warm", min(args.rates), args.warmup)
        await wait_quiet(tally, 1.0)
        rows = []
        for n, rate in enumerate(args.rates):
            if sockets[0].lost:
                print(
                    f"  the sender's socket was closed ({sockets[0].close_code}): "
                    "no further rates on this server",
                    flush=True,
                )
                break
            row = await measure(server, sockets, tally, chat_id, f"r{n}", rate, args.duration)
            rows.append({"server": kind, "compression": compression, **row})
            print_row(rows[-1])
            await wait_quiet(tally, 1.0)
        for sock in sockets:
            sock.abort()
    finally:
        await server.stop()
    return setup, rows


async def wait_quiet(tally: Tally, seconds: float) -> None:
    """Until no frame of any kind arrived for `seconds`."""
    while True:
        before = (tally.other, tally.stray, len(tally.latencies))
        await asyncio.sleep(seconds)
        if (tally.other, tally.stray, len(tally.latencies)) == before:
            return


HEADER = (
    f"{'server':<8} {'deflate':<7} {'msg/s':>5} {'deliv/s':>8} {'deliv%':>6} "
    f"{'p50 ms':>8} {'p99 ms':>8} {'srv CPU':>7} {'srv us/d':>8} {'cli CPU':>7} "
    f"{'cli us/d':>8} {'lost':>4}"
)


def print_row(row: dict) -> None:
    share = row["delivered"] / row["expected"] * 100 if row["expected"] else 0
    print(
        f"{row['server']:<8} {row['compression']:<7} {row['rate']:>5g} "
        f"{row['deliveries_per_second']:>8} {share:>5.1f}% "
        f"{row['latency_ms']['p50']:>8} {row['latency_ms']['p99']:>8} "
        f"{row['server_cpu_percent']:>6}% {row['server_cpu_us_per_delivery']:>8} "
        f"{row['client_cpu_percent']:>6}% {row['client_cpu_us_per_delivery']:>8} "
        f"{row['lost_sockets']:>4}",
        flush=True,
    )


def ratios(rows: list[dict], server: str = "chinwag", floor_server: str = "bare") -> list[dict]:
    """Server CPU per delivery of `server`'s rows over `floor_server`'s at the same load."""
    floors = {(r["compression"], r["rate"]): r for r in rows if r["server"] == floor_server}
    out = []
    for row in rows:
        floor = floors.get((row["compression"], row["rate"]))
        if row["server"] != server or not floor:
            continue
        mine, theirs = row["server_cpu_us_per_delivery"], floor["server_cpu_us_per_delivery"]
        if mine and theirs:
            out.append(
                {
                    "compression": row["compression"],
                    "rate": row["rate"],
                    f"{server}_us": mine,
                    f"{floor_server}_us": theirs,
                    "ratio": round(mine / theirs, 2),
                }
            )
    return out


async def main_async(args) -> dict:
    cores = wsload.pick_cores(not args.no_pin)
    if cores[1] is not None:
        os.sched_setaffinity(0, {cores[1]})
    nofile = wsload.raise_nofile(args.members + 1024)
    before = wsload.machine_info()
    setups, rows = [], []
    with tempfile.TemporaryDirectory(prefix="chinwag-fanout-") as tmp_name:
        tmp = Path(tmp_name)
        from chinwag.db.migrate import upgrade

        url = wsload.sqlite_url(tmp)
        await asyncio.to_thread(upgrade, url)
        seeded = time.perf_counter()
        tokens, (chat_id,) = await wsload.seed(url, args.members, [range(args.members)])
        print(
            f"seeded {args.members} users in one group in "
            f"{time.perf_counter() - seeded:.1f} s; server on core {cores[0]}, "
            f"client on core {cores[1]}; load average {' '.join(before['loadavg'])}",
            flush=True,
        )
        print(HEADER)
        for compression in args.compression:
            kinds = ("chinwag", "socketio", "bare") if args.transport == "socketio" else None
            for kind in kinds or ("chinwag", "bare"):
                setup, found = await run_server(
                    kind, args, tmp, tokens, chat_id, compression, cores, nofile
                )
                setups.append(setup)
                rows += found
    return {
        "machine": before,
        "load_after": wsload.machine_info()["loadavg"],
        "cores": {"server": cores[0], "client": cores[1]},
        "config": {
            "members": args.members,
            "rates": args.rates,
            "duration": args.duration,
            "warmup": args.warmup,
            "compression": args.compression,
            "quick": args.quick,
            "client_parser": args.parser,
            "transport": args.transport,
        },
        "setup": setups,
        "results": rows,
        "ratios": ratios(rows),
        # Socket.IO over the native /ws, same server, same load (--transport socketio)
        "socketio_over_ws": ratios(rows, "socketio", "chinwag"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rates", default="20,50", help="messages per second, comma-separated")
    parser.add_argument("--duration", type=float, default=10, help="seconds per rate")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before measuring")
    parser.add_argument(
        "--compression",
        default="deflate",
        help="deflate (what browsers offer), none, or deflate,none",
    )
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes in flight")
    parser.add_argument(
        "--parser",
        choices=("fast", "websockets"),
        default="fast",
        help="how the client parses received frames (see wsload.Socket)",
    )
    parser.add_argument("--no-pin", action="store_true", help="don't pin to cores")
    parser.add_argument(
        "--transport",
        choices=("ws", "socketio"),
        default="ws",
        help="socketio: the same run over Socket.IO too, beside /ws",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 100 members, 2 s per rate, 1 s warm-up"
    )
    args = parser.parse_args()
    if args.quick:
        args.members, args.duration, args.warmup = 100, 2, 1
    args.rates = [float(r) for r in args.rates.split(",")]
    args.compression = [c.strip() for c in args.compression.split(",")]
    if not set(args.compression) <= {"deflate", "none"}:
        parser.error("--compression: deflate, none or deflate,none")

    report = uvloop.run(main_async(args))
    print("\nCPU per delivery, chinwag / bare websockets:")
    for r in report["ratios"]:
        print(
            f"  {r['compression']:<7} {r['rate']:>4g} msg/s: {r['chinwag_us']} / "
            f"{r['bare_us']} us = {r['ratio']}x"
        )
    if report["socketio_over_ws"]:
        print("CPU per delivery, Socket.IO / native /ws (same server, same load):")
        for r in report["socketio_over_ws"]:
            print(
                f"  {r['compression']:<7} {r['rate']:>4g} msg/s: {r['socketio_us']} / "
                f"{r['chinwag_us']} us = {r['ratio']}x"
            )
    print(
        f"load average before {' '.join(report['machine']['loadavg'])}, "
        f"after {' '.join(report['load_after'])} (2 shared cores: figures are noisy)"
    )
    name = "fanout-socketio.json" if args.transport == "socketio" else "fanout.json"
    out = wsload.RESULTS / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

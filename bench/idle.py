"""Idle sockets: server memory per authenticated socket and how fast chinwag accepts them.

    python bench/idle.py [--sockets 10000] [--users N] [--group-size 50]
                         [--compression deflate,none] [--transport ws|socketio] [--quick]

Seeds --users accounts (default: one per socket; bulk inserts are cheap, so nobody shares an
account unless asked) in groups of --group-size members, then opens --sockets authenticated
sockets to one `chinwag serve` process, --concurrency handshakes at a time, each counted once
its `ready` frame arrived. Reports connections per second (first connect to last ready), the
connect-to-ready latency, the server's CPU per connection (presence fan-out included: each
member coming online is announced to the group's members already online), and the server's
RSS per socket ((VmRSS after - VmRSS before) / N, /proc/<pid>/status), with 20 warm-up
sockets already open in the "before", and again once all were closed and the server went idle.
The client's own RSS per socket is meaningful for the first --compression mode only (later
ones reuse memory it freed). File-descriptor limits are raised in both processes.
With --transport socketio each run is made over /ws and then over Socket.IO (/socket.io/,
a fresh server each, the clients speaking Engine.IO 4 over WebSocket as socket.io-client
does): RSS per socket for both transports, side by side. Writes bench/results/idle.json
(idle-socketio.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import uvloop
import wsload

WARM_SOCKETS = 20


class Counter:
    def __init__(self) -> None:
        self.frames = 0

    def on_text(self, _sock, _data: bytes, _now: float) -> None:
        self.frames += 1


async def settle(counter: Counter, quiet: float = 1.0, limit: float = 60) -> None:
    """Until no frame arrived for `quiet` seconds (presence fan-out drained)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = counter.frames
        await asyncio.sleep(quiet)
        if counter.frames == before:
            return


async def server_idle(server: wsload.ServerProcess, limit: float = 300) -> None:
    """Until the server used under 2% of a core for a whole second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu()
        await asyncio.sleep(1)
        if server.cpu() - before < 0.02:
            return


async def run(
    args, tmp: Path, tokens: list[str], compression: str, cores, nofile, transport: str = "ws"
) -> dict:
    port = wsload.free_port()
    server = wsload.chinwag_server(tmp, port, cores[0], nofile, args.log_level)
    counter = Counter()
    await server.start()
    try:
        warm, _, errors = await wsload.open_sockets(
            port,
            tokens[-WARM_SOCKETS:],
            compression=compression == "deflate",
            on_text=counter.on_text,
            wait_ready=True,
            concurrency=WARM_SOCKETS,
            transport=transport,
        )
        if errors:
            raise RuntimeError(f"warm-up sockets failed: {errors[0]}")
        await settle(counter)
        rss0, cpu0, fds0 = server.rss_kib(), server.cpu(), wsload.proc_fds(server.pid)
        client_rss0, client_cpu0 = wsload.proc_rss_kib(os.getpid()), wsload.self_cpu()
        frames0 = counter.frames

        began = time.perf_counter()
        user_tokens = tokens[: args.users]
        wanted = [user_tokens[i % len(user_tokens)] for i in range(args.sockets)]
        sockets, waits, errors = await wsload.open_sockets(
            port,
            wanted,
            compression=compression == "deflate",
            on_text=counter.on_text,
            wait_ready=True,
            concurrency=args.concurrency,
            transport=transport,
        )
        elapsed = time.perf_counter() - began
        cpu_connect = server.cpu() - cpu0
        await settle(counter)
        await asyncio.sleep(1)
        opened = [s for s in sockets if s is not None]
        rss1, cpu1, fds1 = server.rss_kib(), server.cpu(), wsload.proc_fds(server.pid)
        client_rss1 = wsload.proc_rss_kib(os.getpid())
        client_cpu = wsload.self_cpu() - client_cpu0
        still_open = sum(1 for s in opened if not s.lost)

        for sock in opened + [s for s in warm if s is not None]:
            sock.abort()
        closing = time.perf_counter()
        await server_idle(server)  # each socket's cleanup (presence offline) has run
        close_seconds = time.perf_counter() - closing
        rss_closed = server.rss_kib()
    finally:
        await server.stop()
    waits.sort()
    count = len(opened)
    result = {
        "transport": transport,
        "compression": compression,
        "sockets": args.sockets,
        "users": args.users,
        "group_size": args.group_size,
        "opened": count,
        "failed": len(errors),
        "errors": errors[:5],
        "still_open_after_settle": still_open,
        "connect_seconds": round(elapsed, 2),
        "connections_per_second": round(count / elapsed) if elapsed else None,
        "connect_to_ready_ms": {
            "p50": round(wsload.percentile(waits, 0.5) * 1e3, 1),
            "p99": round(wsload.percentile(waits, 0.99) * 1e3, 1),
        },
        "server_cpu_ms_per_connection": round(cpu_connect / count * 1e3, 3) if count else None,
        "server_cpu_ms_per_connection_incl_settle": round((cpu1 - cpu0) / count * 1e3, 3)
        if count
        else None,
        "frames_after_ready": counter.frames - frames0,
        "server_rss_mib": {
            "before": round(rss0 / 1024, 1),
            "after": round(rss1 / 1024, 1),
            "after_close": round(rss_closed / 1024, 1),
        },
        "close_seconds": round(close_seconds, 1),
        "server_rss_kib_per_socket": round((rss1 - rss0) / count, 2) if count else None,
        "server_fds": {"before": fds0, "after": fds1},
        "client_rss_kib_per_socket": round((client_rss1 - client_rss0) / count, 2)
        if count
        else None,
        "client_cpu_ms_per_connection": round(client_cpu / count * 1e3, 3) if count else None,
    }
    print_result(result)
    return result


def print_result(r: dict) -> None:
    rss = r["server_rss_mib"]
    print(
        f"{r['transport']}, compression={r['compression']}: "
        f"{r['opened']}/{r['sockets']} sockets ready "
        f"({r['failed']} failed), {r['connections_per_second']} connections/s, "
        f"connect-to-ready p50 {r['connect_to_ready_ms']['p50']} ms "
        f"p99 {r['connect_to_ready_ms']['p99']} ms\n"
        f"  server: {r['server_cpu_ms_per_connection']} ms CPU per connection, "
        f"{r['frames_after_ready']} presence frames sent after the ready frames\n"
        f"  server RSS: {rss['before']} -> {rss['after']} MiB = "
        f"{r['server_rss_kib_per_socket']} KiB per socket; {rss['after_close']} MiB once all "
        f"were closed (cleanup took {r['close_seconds']} s)\n"
        f"  client: {r['client_rss_kib_per_socket']} KiB RSS and "
        f"{r['client_cpu_ms_per_connection']} ms CPU per socket",
        flush=True,
    )


async def main_async(args) -> dict:
    cores = wsload.pick_cores(not args.no_pin)
    if cores[1] is not None:
        os.sched_setaffinity(0, {cores[1]})
    nofile = wsload.raise_nofile(args.sockets + WARM_SOCKETS + 1024)
    if nofile < args.sockets + WARM_SOCKETS + 100:
        raise SystemExit(f"only {nofile} file descriptors allowed; lower --sockets")
    before = wsload.machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="chinwag-idle-") as tmp_name:
        tmp = Path(tmp_name)
        from chinwag.db.migrate import upgrade

        url = wsload.sqlite_url(tmp)
        await asyncio.to_thread(upgrade, url)
        size = args.group_size
        groups = (
            [range(start, min(start + size, args.users)) for start in range(0, args.users, size)]
            if size
            else []
        )
        seeded = time.perf_counter()
        # The warm-up users come last and belong to no group.
        tokens, _ = await wsload.seed(url, args.users + WARM_SOCKETS, groups)
        print(
            f"seeded {args.users} users ({len(groups)} groups of {size}) in "
            f"{time.perf_counter() - seeded:.1f} s; {args.sockets} sockets "
            f"({args.sockets / args.users:g} per user); fd limit {nofile}; server on core "
            f"{cores[0]}, client on core {cores[1]}; load average {' '.join(before['loadavg'])}",
            flush=True,
        )
        transports = ("ws", "socketio") if args.transport == "socketio" else ("ws",)
        for compression in args.compression:
            for transport in transports:
                results.append(await run(args, tmp, tokens, compression, cores, nofile, transport))
    return {
        "machine": before,
        "load_after": wsload.machine_info()["loadavg"],
        "cores": {"server": cores[0], "client": cores[1]},
        "fd_limit": nofile,
        "config": {
            "sockets": args.sockets,
            "users": args.users,
            "group_size": args.group_size,
            "concurrency": args.concurrency,
            "log_level": args.log_level,
            "quick": args.quick,
            "transport": args.transport,
        },
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--users", type=int, help="accounts the sockets share (default: one each)")
    parser.add_argument(
        "--group-size", type=int, default=50, help="members per group (0: nobody is in a chat)"
    )
    parser.add_argument(
        "--compression",
        default="deflate",
        help="deflate (what browsers offer), none, or deflate,none",
    )
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight")
    parser.add_argument("--log-level", default="INFO", help="the server's CHINWAG_LOG_LEVEL")
    parser.add_argument("--no-pin", action="store_true", help="don't pin to cores")
    parser.add_argument(
        "--transport",
        choices=("ws", "socketio"),
        default="ws",
        help="socketio: each run over Socket.IO too, after /ws",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 sockets")
    args = parser.parse_args()
    if args.quick:
        args.sockets = 500
    args.users = min(args.users or args.sockets, args.sockets)
    args.compression = [c.strip() for c in args.compression.split(",")]
    if not set(args.compression) <= {"deflate", "none"}:
        parser.error("--compression: deflate, none or deflate,none")

    report = uvloop.run(main_async(args))
    print(
        f"load average before {' '.join(report['machine']['loadavg'])}, "
        f"after {' '.join(report['load_after'])} (2 shared cores: figures are noisy)"
    )
    out = wsload.RESULTS / ("idle-socketio.json" if args.transport == "socketio" else "idle.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

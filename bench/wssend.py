"""Acknowledged sends over the WebSocket, as an outside client floods them, beside the raw
SQLite floor measured in the same run.

    python bench/wssend.py [--sockets 64] [--seconds 10] [--chat-size 2] [--no-pin]

One `chinwag serve` process (SQLite, pinned to core 0 unless --no-pin; the client on the
other core); --sockets people (one socket each) in chats of --chat-size members, all of them
connected. Each socket sends `message.send`
with a fresh client_id and waits for its `ack` before sending the next, for --seconds: every
send is stored, acknowledged and delivered as `message.new` to the chat's members. Reports
acked messages/s, ack p50/p99 and the server's CPU per message; then the floor: Python's
sqlite3 storing the same rows in the server's own database file (seq UPDATE + INSERT + COMMIT,
WAL, synchronous=NORMAL). Writes bench/results/wssend.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import uvloop
import websockets
import wsload
from send import sqlite_floor

from chinwag.db.migrate import upgrade


async def _socket(port: int, token: str, chat_id: int, until: float, acks: list[float]):
    uri = f"ws://127.0.0.1:{port}/ws?token={token}"
    async with websockets.connect(uri, max_size=2**22, compression=None) as ws:
        while json.loads(await ws.recv())["type"] != "ready":
            pass
        n = 0
        while time.perf_counter() < until:
            client_id = uuid.uuid4().hex
            frame = {"type": "message.send", "chat_id": chat_id, "text": f"flood {n}"}
            started = time.perf_counter()
            await ws.send(json.dumps({**frame, "client_id": client_id}))
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "ack" and event["client_id"] == client_id:
                    break
                if event["type"] == "error":
                    raise RuntimeError(event)
            acks.append(time.perf_counter() - started)
            n += 1


async def run(args, tmp: Path) -> dict:
    cores = wsload.pick_cores(not args.no_pin)
    url = wsload.sqlite_url(tmp)
    await asyncio.to_thread(upgrade, url)
    groups = [range(i, i + args.chat_size) for i in range(0, args.sockets, args.chat_size)]
    tokens, chat_ids = await wsload.seed(url, args.sockets, groups)
    port = wsload.free_port()
    server = wsload.chinwag_server(tmp, port, cores[0], 4096, "WARNING")
    await server.start()
    try:
        acks: list[float] = []
        cpu0, began = server.cpu(), time.perf_counter()
        until = began + args.seconds
        await asyncio.gather(
            *(
                _socket(port, tokens[i], chat_ids[i // args.chat_size], until, acks)
                for i in range(args.sockets)
            )
        )
        elapsed = time.perf_counter() - began
        cpu = server.cpu() - cpu0
    finally:
        await server.stop()
    cuts = statistics.quantiles(acks, n=100)
    floor = sqlite_floor(str(tmp / "chinwag.db"), chat_ids, 1, min(len(acks), 20000))
    return {
        "sockets": args.sockets,
        "chat_size": args.chat_size,
        "messages": len(acks),
        "per_second": round(len(acks) / elapsed),
        "server_cpu_us_per_message": round(cpu / len(acks) * 1e6),
        "ack_p50_ms": round(statistics.median(acks) * 1e3, 1),
        "ack_p99_ms": round(cuts[98] * 1e3, 1),
        "floor_per_second": round(floor),
        "of_floor": round(len(acks) / elapsed / floor, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--chat-size", type=int, default=2)
    parser.add_argument("--no-pin", action="store_true", help="let the server use both cores")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        row = uvloop.run(run(args, Path(tmp)))
    print(
        f"{row['sockets']} sockets, chats of {row['chat_size']}: {row['per_second']} acked msg/s, "
        f"ack p50 {row['ack_p50_ms']} ms p99 {row['ack_p99_ms']} ms, "
        f"{row['server_cpu_us_per_message']} us server CPU/msg; sqlite3 floor "
        f"{row['floor_per_second']} msg/s ({row['of_floor']} of it)"
    )
    out = Path(__file__).parent / "results" / "wssend.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()

"""The floor for a Python WebSocket fan-out: a bare `websockets` server on uvloop that sends
every text frame it receives to every connected socket (the sender included). No auth, no
storage, no per-socket queue: websockets.broadcast writes straight to each transport.

    python bench/bare_broadcast.py --port 8765

fanout.py runs it as its own process next to chinwag, under the same load. permessage-deflate
is offered with the same settings as uvicorn's (window 12 bits, memLevel 5); the client
decides whether it is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

CONNECTED: set[ServerConnection] = set()


async def handler(websocket: ServerConnection) -> None:
    CONNECTED.add(websocket)
    try:
        async for message in websocket:
            if isinstance(message, str):
                broadcast(CONNECTED, message)
    finally:
        CONNECTED.discard(websocket)


async def main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(handler, host, port, compression="deflate", max_size=64 * 1024, backlog=2048):
        with contextlib.suppress(asyncio.CancelledError):
            await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvloop.run(main(args.host, args.port))

"""Plain helpers for the realtime tests: event predicates, REST calls, a barrier, and a
hand-made WebSocket client over a bare TCP socket (for clients that misbehave on purpose:
never read, never answer a ping)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from urllib.parse import urlsplit

import httpx

from chinwag.client import ChinwagClient
from tests.conftest import Person

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def of_type(kind: str, **fields):
    """A predicate for ChinwagClient.wait_for: an event of this type with these fields."""
    return lambda e: e["type"] == kind and all(e.get(k) == v for k, v in fields.items())


def events_of(client: ChinwagClient, kind: str, **fields) -> list[dict]:
    return [e for e in client.events if of_type(kind, **fields)(e)]


async def barrier(client: ChinwagClient, timeout: float = 10) -> None:
    """Every event queued to this socket before now has arrived: the server answers a ping
    behind them (one queue per socket; the memory broker delivers as it publishes)."""
    seen = len(events_of(client, "pong"))
    await client.frame({"type": "ping"})
    await client.wait_for(
        lambda e: e["type"] == "pong" and len(events_of(client, "pong")) > seen, timeout
    )


async def call(
    http: httpx.AsyncClient, person: Person, method: str, path: str, status: int = 200, **kwargs
):
    """A REST call as `person` that must answer `status`; its JSON body (None when empty)."""
    response = await http.request(method, path, headers=person.headers, **kwargs)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def new_group(
    http: httpx.AsyncClient,
    owner: Person,
    *members: Person,
    name: str = "Team",
    is_public: bool = False,
) -> dict:
    return await call(
        http,
        owner,
        "POST",
        "/api/chats",
        201,
        json={"name": name, "is_public": is_public, "member_ids": [m.id for m in members]},
    )


async def history(http: httpx.AsyncClient, person: Person, chat_id: int) -> list[dict]:
    return await call(http, person, "GET", f"/api/chats/{chat_id}/messages", params={"limit": 100})


async def flood(
    http: httpx.AsyncClient, sender: Person, chat_id: int, readers, count: int, size: int
) -> list[int]:
    """`count` messages of `size` characters sent through REST; the ids. The `readers`
    (ChinwagClients) take each before the next is sent, so only a stuck socket falls behind,
    however slow this machine is (frames are not compressed)."""
    sent = []
    for i in range(count):
        message = await call(
            http,
            sender,
            "POST",
            f"/api/chats/{chat_id}/messages",
            201,
            json={"text": f"{i:03d}" + "x" * (size - 3)},
        )
        sent.append(message["id"])
        for device in readers:
            await device.wait_for(
                lambda e, mid=message["id"]: (
                    e["type"] == "message.new" and e["message"]["id"] == mid
                )
            )
    return sent


class RawSocket:
    """A WebSocket client written by hand on asyncio streams: it does only what the test
    says, so it can stop reading or leave a ping unanswered."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(
        cls,
        base_url: str,
        token: str,
        *,
        receive_buffer: int | None = None,
        timeout: float = 10,
        path: str = "/ws",
    ) -> RawSocket:
        """Connect and upgrade. `receive_buffer` caps the kernel's receive buffer (set before
        connecting, so the TCP window stays that small)."""
        parts = urlsplit(base_url)
        sock = socket.socket()
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.wait_for(
            asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port)), timeout
        )
        reader, writer = await asyncio.open_connection(sock=sock)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            writer.close()
            raise ConnectionError(f"handshake refused: {status.decode()}")
        return cls(reader, writer)

    async def read_frame(self, timeout: float = 10) -> tuple[int, bytes]:
        """The next (opcode, payload) from the server (its frames are never masked)."""

        async def read() -> tuple[int, bytes]:
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            return first & 0x0F, await self.reader.readexactly(length)

        return await asyncio.wait_for(read(), timeout)

    async def read_event(self, timeout: float = 10) -> dict:
        opcode, payload = await self.read_frame(timeout)
        assert opcode == OP_TEXT, (opcode, payload[:80])
        return json.loads(payload)

    async def frames_until_eof(self, timeout: float = 10) -> list[tuple[int, bytes]]:
        """Every frame until the server ends the connection."""
        frames: list[tuple[int, bytes]] = []
        async with asyncio.timeout(timeout):
            while True:
                try:
                    frames.append(await self.read_frame(timeout))
                except asyncio.IncompleteReadError:
                    return frames

    async def frames_until_close(self, timeout: float = 10) -> list[tuple[int, bytes]]:
        """Every frame up to and including the server's close frame."""
        frames: list[tuple[int, bytes]] = []
        async with asyncio.timeout(timeout):
            while not frames or frames[-1][0] != OP_CLOSE:
                frames.append(await self.read_frame(timeout))
        return frames

    async def send_frame(self, opcode: int, payload: bytes) -> None:
        """One final frame, masked as every client frame must be (payload < 126 bytes)."""
        assert len(payload) < 126
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)
        await self.writer.drain()

    async def send_event(self, event: dict) -> None:
        await self.send_frame(OP_TEXT, json.dumps(event).encode())

    def close(self) -> None:
        self.writer.close()


def close_code(payload: bytes) -> int | None:
    """The status code of a close frame's payload."""
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None

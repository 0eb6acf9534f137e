"""A small async client for scripting chinwag: REST calls, one socket, and resume.

    client = await ChinwagClient.sign_in("http://127.0.0.1:8000", "ana", "password")
    await client.connect()                       # ready, then fetches any missed messages
    message = await client.send(chat_id, "hi")   # waits for the ack
    event = await client.wait_for(lambda e: e["type"] == "message.new")
    await client.close()

It keeps the highest seq it has seen per chat and every message once (`client.messages`),
so after a reconnect `connect()` fetches exactly the gaps (docs/protocol.md, Resume).
The socket is /ws, or Socket.IO with `transport="socketio"` (python-socketio's AsyncClient,
which needs aiohttp): the same events either way.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import websockets


class ChinwagAPIError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ChinwagClient:
    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        origin: str | None = None,
        transport: str = "ws",
    ) -> None:
        if transport not in ("ws", "socketio"):
            raise ValueError("transport is 'ws' or 'socketio'")
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.origin = origin
        self.transport = transport
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=30)
        self.messages: dict[int, dict[int, dict]] = {}  # chat id -> seq -> message
        self.events: list[dict] = []
        self.ready: dict | None = None
        self.user: dict | None = None
        self.close_code: int | None = None
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Condition()
        self._filling: set[int] = set()
        self._resume = True

    # -- REST --------------------------------------------------------------------------

    @classmethod
    async def sign_in(
        cls, base_url: str, login: str, password: str, *, code: str | None = None, **kwargs
    ) -> ChinwagClient:
        """Sign in; `code` (TOTP or recovery code) for an account with two-factor sign-in."""
        body = {"login": login, "password": password, **({"code": code} if code else {})}
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            response = await http.post("/api/auth/login", json=body)
        body = _checked(response)
        client = cls(base_url, body["access_token"], **kwargs)
        client.user = body["user"]
        return client

    async def request(self, method: str, path: str, **kwargs) -> Any:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        return _checked(await self.http.request(method, path, headers=headers, **kwargs))

    async def history_after(self, chat_id: int, after: int) -> list[dict]:
        """Every stored message after `after`, page by page."""
        found: list[dict] = []
        while True:
            page = await self.request(
                "GET", f"/api/chats/{chat_id}/messages", params={"after": after, "limit": 100}
            )
            found += page
            if len(page) < 100:
                return found
            after = page[-1]["seq"]

    # -- socket ------------------------------------------------------------------------

    def last_seq(self, chat_id: int) -> int:
        """The seq up to which every message is held: where resume starts (a live stream
        that skipped some, e.g. during a broker outage, leaves holes below its latest)."""
        seqs = self.messages.get(chat_id, {})
        seq = 0
        while seq + 1 in seqs:
            seq += 1
        return seq

    async def connect(self, *, resume: bool = True) -> dict:
        """Open the socket, wait for `ready`, then fetch what was missed since last time."""
        self.close_code = None
        self._resume = resume
        if self.transport == "socketio":
            await self._connect_socketio()
        else:
            url = self.base_url.replace("http", "ws", 1) + "/ws"
            headers = {"Authorization": f"Bearer {self.access_token}"}
            self._socket = await websockets.connect(
                url, additional_headers=headers, origin=self.origin, max_size=None
            )
            self.ready = json.loads(await self._socket.recv())
            self._reader = asyncio.create_task(self._read())
        if resume:
            for chat in self.ready["chats"]:
                if chat["last_seq"] > self.last_seq(chat["id"]):
                    for message in await self.history_after(chat["id"], self.last_seq(chat["id"])):
                        self._keep(message)
        return self.ready

    async def reconnect(
        self,
        *,
        first_delay: float = 0.5,
        max_delay: float = 15.0,
        attempts: int | None = None,
        on_retry: Callable[[int, float, BaseException], Any] | None = None,
    ) -> dict:
        """connect(resume=True) until it works. After the n-th failure (refused, unreachable,
        a 429 or 503 answer) it waits a random time up to first_delay * 2**(n-1), capped at
        max_delay ("full jitter": the clients of a restarted server don't come back in step),
        and at least the Retry-After the server gave. `on_retry(n, delay, error)` is told
        before each wait; after `attempts` failures the last error is raised."""
        failures = 0
        while True:
            try:
                return await self.connect(resume=True)
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                failures += 1
                if attempts is not None and failures >= attempts:
                    raise
                ceiling = min(max_delay, first_delay * 2 ** (failures - 1))
                jitter = random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not a secret
                delay = max(jitter, _retry_after(exc))
                if on_retry is not None:
                    on_retry(failures, delay, exc)
                await asyncio.sleep(delay)

    async def _connect_socketio(self) -> None:
        import socketio  # only for this transport (python-socketio; aiohttp for WebSocket)

        sio = socketio.AsyncClient(reconnection=False)
        ready: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        gone = asyncio.Event()

        @sio.on("*")
        async def on_event(name: str, event: dict | None = None) -> None:
            if name == "ready" and not ready.done():
                ready.set_result(event)
            elif isinstance(event, dict):
                await self._received(event)

        @sio.event
        async def disconnect(reason=None) -> None:
            gone.set()

        refused: list = []
        sio.on("connect_error", refused.append)
        headers = {"Origin": self.origin} if self.origin else {}
        try:
            await sio.connect(
                self.base_url,
                auth={"token": self.access_token},
                headers=headers,
                transports=["websocket"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError as exc:
            # an OSError, as a refused /ws handshake is one: reconnect() retries it
            why = refused[-1] if refused else str(exc)
            raise ConnectionError(f"Socket.IO connect refused: {why}") from exc
        self._socket = sio
        self._reader = asyncio.create_task(self._until_gone(gone))
        self.ready = await asyncio.wait_for(ready, 10)

    async def _until_gone(self, gone: asyncio.Event) -> None:
        try:
            await gone.wait()
        finally:
            # Socket.IO has no close codes: the server's last `error` names it
            closes = [e for e in self.events if e["type"] == "error" and "close_code" in e]
            self.close_code = closes[-1]["close_code"] if closes else None
            async with self._changed:
                self._changed.notify_all()

    async def _received(self, event: dict) -> None:
        if event["type"] in ("message.new", "message.updated"):
            self._keep(event["message"])
            self._fill_gap(event["message"]["chat_id"])
        if event["type"] == "ack":
            self._keep(event["message"])
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                await self._received(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self._socket.close_code if self._socket else None
            async with self._changed:
                self._changed.notify_all()

    def _fill_gap(self, chat_id: int) -> None:
        """A live stream that skipped seqs (the server's broker hiccuped) is mended at once."""
        if not self._resume:
            return
        held = self.last_seq(chat_id)
        if held < max(self.messages[chat_id]) and chat_id not in self._filling:
            self._filling.add(chat_id)
            task = asyncio.create_task(self._fetch_gap(chat_id, held))
            task.add_done_callback(lambda _: self._filling.discard(chat_id))

    async def _fetch_gap(self, chat_id: int, after: int) -> None:
        try:
            missed = await self.history_after(chat_id, after)
        except (ChinwagAPIError, httpx.HTTPError):
            return  # left the chat meanwhile, or the server is away: the next resume mends it
        for message in missed:
            self._keep(message)

    def _keep(self, message: dict) -> None:
        self.messages.setdefault(message["chat_id"], {})[message["seq"]] = message

    async def frame(self, frame: dict) -> None:
        if self.transport == "socketio":
            payload = {k: v for k, v in frame.items() if k != "type"}
            await self._socket.emit(frame["type"], payload)
        else:
            await self._socket.send(json.dumps(frame))

    async def send(
        self, chat_id: int, text: str, client_id: str | None = None, timeout: float = 10
    ) -> dict:
        """Send over the socket and return the acknowledged message."""
        client_id = client_id or uuid.uuid4().hex
        await self.frame(
            {"type": "message.send", "chat_id": chat_id, "text": text, "client_id": client_id}
        )
        reply = await self.wait_for(
            lambda e: e["type"] in ("ack", "error") and e.get("client_id") == client_id, timeout
        )
        if reply["type"] == "error":
            raise ChinwagAPIError(0, reply["code"], reply["message"])
        return reply["message"]

    async def edit(self, message_id: int, text: str, timeout: float = 10) -> dict:
        """Edit my message over the socket; the edited message, once its `message.updated`
        arrives (the version it replaced stays in the message's edit history)."""
        earlier = {id(event) for event in self.events}  # an earlier edit's answer isn't this one's

        def answers(event: dict) -> bool:
            if id(event) in earlier:
                return False
            if event["type"] == "error":
                return event.get("message_id") == message_id
            return event["type"] == "message.updated" and event["message"]["id"] == message_id

        await self.frame({"type": "message.edit", "message_id": message_id, "text": text})
        reply = await self.wait_for(answers, timeout)
        if reply["type"] == "error":
            raise ChinwagAPIError(0, reply["code"], reply["message"])
        return reply["message"]

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10) -> dict:
        """The first event received so far (or later) that matches."""

        async def first_match() -> dict:
            async with self._changed:
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    if self._reader is None or self._reader.done():
                        raise ConnectionError(f"socket closed ({self.close_code})")
                    await self._changed.wait()

        return await asyncio.wait_for(first_match(), timeout)

    async def wait_closed(self, timeout: float = 10) -> int | None:
        if self._reader is not None:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code

    async def disconnect(self) -> None:
        if self._socket is not None:
            if self.transport == "socketio":
                await self._socket.disconnect()
            else:
                await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._socket = self._reader = None
        self.events.clear()

    async def close(self) -> None:
        await self.disconnect()
        await self.http.aclose()


def _retry_after(exc: BaseException) -> float:
    """The seconds a refused handshake's Retry-After asked for (0 if none)."""
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After", "") if response is not None else ""
    return float(value) if value.isdigit() else 0.0


def _checked(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        error = response.json().get("error", {})
        raise ChinwagAPIError(response.status_code, error.get("code", ""), error.get("message", ""))
    return response.json() if response.content else None

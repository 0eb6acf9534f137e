"""One WebSocket connection's outgoing side: a bounded queue and its own writer task, so a
client that stops reading never delays anyone else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketState
from websockets.frames import Frame, Opcode

from chinwag.metrics import TALLY, count_close  # deliveries: plain integers, see metrics.py

log = logging.getLogger("chinwag.realtime")

CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN = 1013
WRITE_FRAME = "chinwag.write_frame"  # see chinwag.serving.GuardedWebSocketProtocol

_last_framed: tuple[str | None, bytes] = (None, b"")  # (text, its frame)


def framed(text: str) -> bytes:
    """`text` as one unmasked WebSocket text frame. The hub hands the same string to every
    recipient of an event, one after the other: it is framed once for all of them."""
    global _last_framed
    if _last_framed[0] is not text:
        _last_framed = (text, Frame(Opcode.TEXT, text.encode()).serialize(mask=False))
    return _last_framed[1]


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        user_id: int,
        session_id: str,
        limit: int,
        close_timeout: float = 20.0,
    ) -> None:
        self.websocket = websocket
        self._close_timeout = close_timeout
        self.user_id = user_id
        self.session_id = session_id
        self._limit = limit
        # (text, droppable) pairs; droppable events (typing) go first when the queue is full.
        self._queue: deque[tuple[str, bool]] = deque()
        self._ready = asyncio.Event()
        self._closing: tuple[int, str] | None = None
        self.closed = asyncio.Event()
        self._on_closed: list[Callable[[], object]] = []
        self._writer: asyncio.Task | None = None
        self._abandon_timer: asyncio.TimerHandle | None = None
        # The server's direct write (None under another server), used while nothing is
        # queued or being sent, so that frames still leave in order.
        self._write_now = websocket.scope.get("extensions", {}).get(WRITE_FRAME)
        self._direct = False  # started, with a direct write, and no frame being sent

    def start(self) -> None:
        self._direct = self._write_now is not None
        self._writer = asyncio.create_task(self._write_loop(), name=f"ws-writer-{self.user_id}")

    def send(self, text: str, droppable: bool = False) -> None:
        """Queue an event (never blocks). On overflow: drop a typing event, else close 1013."""
        if self._closing:
            return
        if self._direct and not self._queue and self._write_now(framed(text)):
            TALLY.delivered += 1
            return
        if len(self._queue) >= self._limit:
            if droppable:
                TALLY.dropped_typing += 1
                return  # typing is the first thing to go
            if not self._drop_one_droppable():
                # This event and every one queued are lost to this socket (its client
                # resumes from history once it reconnects).
                TALLY.dropped_overflow += 1 + len(self._queue)
                self.close(CLOSE_TRY_AGAIN, "send queue overflow; reconnect and resume")
                return
            TALLY.dropped_typing += 1
        self._queue.append((text, droppable))
        self._ready.set()

    def send_first(self, text: str) -> None:
        """Put a frame ahead of everything queued (the `ready` frame)."""
        self._queue.appendleft((text, False))
        self._ready.set()

    def _drop_one_droppable(self) -> bool:
        for index, (_, droppable) in enumerate(self._queue):
            if droppable:
                del self._queue[index]
                return True
        return False

    def close(self, code: int, reason: str = "") -> None:
        """Close after nothing more: queued events are discarded, the writer sends the close."""
        if self._closing is None:
            self._closing = (code, reason)
            count_close(code)
            self._queue.clear()
            self._ready.set()
            # A writer stuck on a peer that reads nothing would never send the close: give up
            # on it after a while, so the socket is forgotten and its user goes offline.
            self._abandon_timer = asyncio.get_running_loop().call_later(
                self._close_timeout, self._abandon
            )

    def _abandon(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        elif self._writer is None:
            self._mark_closed()

    def when_closed(self, callback: Callable[[], object]) -> None:
        """Call `callback` once this connection is closed (at once if it is): the gateway
        ends the socket's reader so, without a task of its own waiting on `closed`."""
        if self.closed.is_set():
            callback()
        else:
            self._on_closed.append(callback)

    def _mark_closed(self) -> None:
        self.closed.set()
        callbacks, self._on_closed = self._on_closed, []
        for callback in callbacks:
            callback()

    async def _write_loop(self) -> None:
        try:
            while not self._closing:
                await self._ready.wait()
                self._ready.clear()  # before draining: a send() or close() meanwhile sets it
                while self._queue and not self._closing:
                    text, _ = self._queue.popleft()
                    direct, self._direct = self._direct, False
                    try:
                        await self.websocket.send_text(text)
                        TALLY.delivered += 1
                    finally:
                        self._direct = direct
            code, reason = self._closing
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.close(code, reason)
        except Exception as exc:  # noqa: BLE001 - a failed send ends this socket only
            # The peer went away mid-send; the gateway sees `closed` and cleans up.
            log.debug("writer for user %s stopped: %r", self.user_id, exc)
        finally:
            if self._abandon_timer is not None:
                self._abandon_timer.cancel()  # else it keeps the whole socket alive till it fires
            self._mark_closed()

    async def stop(self) -> None:
        if self._writer and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

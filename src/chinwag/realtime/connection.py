"""One socket's outgoing side (an `Outbox`): a direct write while the socket keeps up, else a
bounded queue and a writer task of its own, so a client that stops reading never delays
anyone else. `Connection` is the /ws socket's; realtime/sio_connection.py has Socket.IO's."""

from __future__ import annotations

import asyncio
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


# Socket.IO has no close codes: a close there is an `error` event naming the reason.
CLOSE_NAMES = {
    1000: "closed",
    1008: "policy_violation",
    1009: "frame_too_big",
    1012: "server_restarting",
    1013: "try_again",
}


class Outbox:
    """What the hub delivers to: frames go straight to the socket while nothing is queued
    (the transport's direct write), else into a bounded queue drained by a writer task, which
    exists only while there is something to send: an idle socket holds no task and no queue.
    A transport gives `_write_now`, `_write` and `_end` (the close)."""

    def __init__(self, user_id: int, session_id: str, limit: int, close_timeout: float) -> None:
        self._close_timeout = close_timeout
        self.user_id = user_id
        self.session_id = session_id
        self._limit = limit
        # (text, droppable) pairs; droppable events (typing) go first when the queue is full.
        self._queue: deque[tuple[str, bool]] | None = None
        self._closing: tuple[int, str] | None = None
        self.closed = False
        self._on_closed: list[Callable[[], object]] = []
        self._started = False
        self._writer: asyncio.Task | None = None
        self._abandon_timer: asyncio.TimerHandle | None = None
        # Told the user's own profile (me.updated) before the frame goes out: the chat
        # session keeps what it checks frames against (a verified address) current.
        self.on_account: Callable[[dict], None] | None = None

    @property
    def closing(self) -> bool:
        """A close is due (or done): nothing more goes out."""
        return self._closing is not None

    def _write_now(self, text: str) -> bool:
        """Write at once if the socket can take it now; False: queue it."""
        return False

    async def _write(self, text: str) -> None:
        raise NotImplementedError

    async def _end(self, code: int, reason: str) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Let frames go (the ready frame first): until now they were only queued."""
        self._started = True
        self._wake()

    def send(self, text: str, droppable: bool = False) -> None:
        """Queue an event (never blocks). On overflow: drop a typing event, else close 1013."""
        if self._closing:
            return
        if self._writer is None and self._started and self._write_now(text):
            TALLY.delivered += 1
            return
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        if len(queue) >= self._limit:
            if droppable:
                TALLY.dropped_typing += 1
                return  # typing is the first thing to go
            if not self._drop_one_droppable():
                # This event and every one queued are lost to this socket (its client
                # resumes from history once it reconnects).
                TALLY.dropped_overflow += 1 + len(queue)
                self.close(CLOSE_TRY_AGAIN, "send queue overflow; reconnect and resume")
                return
            TALLY.dropped_typing += 1
        queue.append((text, droppable))
        self._wake()

    def send_first(self, text: str) -> None:
        """Put a frame ahead of everything queued (the `ready` frame)."""
        if self._queue is None:
            self._queue = deque()
        self._queue.appendleft((text, False))
        self._wake()

    def _drop_one_droppable(self) -> bool:
        for index, (_, droppable) in enumerate(self._queue or ()):
            if droppable:
                del self._queue[index]
                return True
        return False

    def close(self, code: int, reason: str = "") -> None:
        """Close after nothing more: queued events are discarded, the writer sends the close."""
        if self._closing is None:
            self._closing = (code, reason)
            count_close(code)
            self._queue = None
            # A writer stuck on a peer that reads nothing would never send the close: give up
            # on it after a while, so the socket is forgotten and its user goes offline.
            self._abandon_timer = asyncio.get_running_loop().call_later(
                self._close_timeout, self._abandon
            )
            self._started = True  # a close is sent even before `ready`
            self._wake()

    def _wake(self) -> None:
        if self._writer is None and self._started and (self._queue or self._closing):
            self._writer = asyncio.create_task(self._drain(), name=f"writer-{self.user_id}")

    def _abandon(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        else:
            self._mark_closed()

    def when_closed(self, callback: Callable[[], object]) -> None:
        """Call `callback` once this connection is closed (at once if it is): the gateway
        ends the socket's reader so, without a task of its own waiting for it."""
        if self.closed:
            callback()
        else:
            self._on_closed.append(callback)

    def _mark_closed(self) -> None:
        if self._abandon_timer is not None:
            self._abandon_timer.cancel()  # else it keeps the whole socket alive till it fires
        self.closed = True
        callbacks, self._on_closed = self._on_closed, []
        for callback in callbacks:
            callback()

    async def _drain(self) -> None:
        """Send what is queued, then the close if one is due; then end (a later send starts
        another writer). A send that fails ends this socket only."""
        ended = True
        try:
            while self._queue and not self._closing:
                text, _ = self._queue.popleft()
                await self._write(text)
                TALLY.delivered += 1
            if self._closing is None:  # drained: nothing was queued since the last check
                ended = False
                return
            await self._end(*self._closing)
        except Exception as exc:  # noqa: BLE001 - the peer went away mid-send
            # The gateway hears of it through when_closed and cleans up.
            log.debug("writer for user %s stopped: %r", self.user_id, exc)
        finally:
            self._writer = None
            if ended:
                self._mark_closed()

    async def stop(self) -> None:
        """Close (1000 unless a close is already due) and wait until the writer has sent it,
        failed to, or given up after the close timeout."""
        self.close(1000)
        writer = self._writer
        if writer is not None:
            await asyncio.wait((writer,))


class Connection(Outbox):
    """The /ws socket's outbox: frames through the server's direct write (framed once for
    every recipient), else ASGI's send; the close is a WebSocket close with its code."""

    def __init__(
        self,
        websocket: WebSocket,
        user_id: int,
        session_id: str,
        limit: int,
        close_timeout: float = 20.0,
    ) -> None:
        super().__init__(user_id, session_id, limit, close_timeout)
        self.websocket = websocket
        # The server's direct write (None under another server), used while no writer runs,
        # so that frames still leave in order.
        self._write_frame = websocket.scope.get("extensions", {}).get(WRITE_FRAME)

    def _write_now(self, text: str) -> bool:
        return self._write_frame is not None and self._write_frame(framed(text))

    async def _write(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def _end(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.close(code, reason)

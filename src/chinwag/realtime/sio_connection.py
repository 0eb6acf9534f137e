"""A Socket.IO session's outbox in the hub: the same bounded queue and drop policy as /ws
(connection.Outbox), writing Socket.IO event packets to the Engine.IO socket under it.

Speed: the hub hands the same event text to every recipient one after the other; its packet
(`42["<type>",<event>]`) and its WebSocket frame are made once for all of them, and written
with the server's direct write, as /ws does (python-socketio's `emit` encodes per call and
goes through a queue and a task per socket: several times the CPU per delivery)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import suppress

from engineio.packet import MESSAGE, Packet
from websockets.frames import Frame, Opcode

from chinwag.realtime.broker import encode_event
from chinwag.realtime.connection import CLOSE_NAMES, Outbox

TYPE_PREFIX = '{"type":"'
ENGINE_MESSAGE = "4"  # Engine.IO's packet type of a message
SOCKET_EVENT = "2"  # Socket.IO's packet type of an event (default namespace)

_last: tuple[str | None, str, bytes] = (None, "", b"")  # (event text, its packet, its frame)


def _event_type(text: str) -> str:
    if text.startswith(TYPE_PREFIX):
        end = text.find('"', len(TYPE_PREFIX))
        if end > 0:
            return text[len(TYPE_PREFIX) : end]
    return json.loads(text)["type"]


def packet_of(text: str) -> tuple[str, bytes]:
    """The Socket.IO event packet of a chinwag event (`type` as the event's name, the event
    as its one argument), as Engine.IO sends it, and as one unmasked WebSocket text frame;
    made once per event, whatever the number of recipients."""
    global _last
    if _last[0] is not text:
        data = f'{SOCKET_EVENT}["{_event_type(text)}",{text}]'
        packet = ENGINE_MESSAGE + data
        _last = (text, packet, Frame(Opcode.TEXT, packet.encode()).serialize(mask=False))
    return _last[1], _last[2]


class SioConnection(Outbox):
    """Frames through the server's direct write while Engine.IO has nothing of its own
    queued (pings, the connect answer, callbacks: their order is kept), else awaited on the
    ASGI socket (or Engine.IO's queue, under long-polling). A close is an `error` event with
    the reason (Socket.IO has no close codes), then a disconnect."""

    def __init__(
        self,
        engine_socket,
        environ: dict,
        disconnect: Callable[[], Awaitable[None]],
        user_id: int,
        session_id: str,
        limit: int,
        close_timeout: float,
    ) -> None:
        super().__init__(user_id, session_id, limit, close_timeout)
        self._engine = engine_socket
        self._disconnect = disconnect
        scope = environ.get("asgi.scope", {})
        websocket = scope.get("type") == "websocket"
        # Over long-polling (or another server) there is no socket to write to: Engine.IO's
        # queue it is.
        self._asgi_send = environ.get("asgi.send") if websocket else None
        extensions = scope.get("extensions") or {}
        self._write_frame = extensions.get("chinwag.write_frame") if websocket else None
        self._connected = False
        self._hung_up = False

    def start(self) -> None:
        """Held until Socket.IO has answered the connect (`connected()`): an event written
        before that answer would reach a client that isn't connected yet."""

    def connected(self) -> None:
        """The connect was answered: let `ready` and what followed it go."""
        if not self._connected:
            self._connected = True
            super().start()

    def _write_now(self, text: str) -> bool:
        return (
            self._write_frame is not None
            and self._engine.queue.empty()
            and self._write_frame(packet_of(text)[1])
        )

    async def _write(self, text: str) -> None:
        packet = packet_of(text)[0]
        if self._asgi_send is not None:
            await self._asgi_send({"type": "websocket.send", "text": packet})
        else:
            await self._engine.send(Packet(MESSAGE, data=packet[1:]))

    async def _end(self, code: int, reason: str) -> None:
        if code != 1000:  # a close of ours, not the client's going: say why first
            error = {"type": "error", "code": CLOSE_NAMES.get(code, "closed"), "message": reason}
            await self._write(encode_event(error | {"close_code": code}))
        await self._disconnect()  # Socket.IO's disconnect packet, into Engine.IO's queue
        await self.hang_up(flush=True)

    async def hang_up(self, flush: bool = False) -> None:
        """Close the WebSocket under the session (with the close's code, for clients that
        look), rather than wait for the client to: Engine.IO keeps it open until then. With
        `flush`, once Engine.IO's writer has taken what is queued (the disconnect packet: it
        writes at once what it takes). A socket stuck with unsent data is aborted after the
        close timeout (see serving.py)."""
        if self._asgi_send is None or self._hung_up:
            return
        if flush and not self._engine.closed:  # (closed: its writer may be gone)
            await self._engine.queue.join()
        if self._hung_up:
            return
        self._hung_up = True
        code = self._closing[0] if self._closing else 1000
        with suppress(RuntimeError, OSError):  # already closed, or the peer went
            await self._asgi_send({"type": "websocket.close", "code": code})

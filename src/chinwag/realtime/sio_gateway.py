"""The Socket.IO transport (/socket.io/, Engine.IO 4 / Socket.IO 5, socket.io-client 4.x): the
same protocol as /ws, event for event, on the same hub. Its handshake checks are the same
(handshake.py), each open session is a ChatSession (session.py) over a SioConnection; a
refusal is a `connect_error` whose data is chinwag's error shape, never a hang.

Socket.IO's rooms and queue managers are not used: the hub routes every event, the broker
carries it between processes, as for /ws."""

from __future__ import annotations

import asyncio
import logging

import socketio
from socketio.exceptions import ConnectionRefusedError as Refused
from starlette.datastructures import Headers, QueryParams

from chinwag.context import AppContext
from chinwag.errors import ChinwagError, error_body
from chinwag.realtime.handshake import (
    ForbiddenOrigin,
    Opening,
    bearer_token,
    caller_of,
    claim_socket,
    origin_allowed,
)
from chinwag.realtime.protocol import FrameError, error_frame
from chinwag.realtime.session import ChatSession
from chinwag.realtime.sio_connection import SioConnection
from chinwag.serving import FRAME_READ_FACTOR

log = logging.getLogger("chinwag.realtime")

SIO_PATH = "/socket.io/"
NAMESPACE = "/"
BINARY_PACKETS = ("5", "6")  # Socket.IO's binary event and binary ack: chinwag speaks JSON


def _refusal(exc: ChinwagError) -> Refused:
    return Refused(exc.message, error_body(exc.code, exc.message))


def _token(auth: object, headers: Headers, query: QueryParams) -> str | None:
    """`auth: {token}` first (socket.io-client's place for it), then as /ws has it."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return bearer_token(headers, query.get("token"))


def _query(scope: dict) -> QueryParams:
    return QueryParams(scope.get("query_string", b"").decode("latin-1"))


def _size(data: str | bytes) -> int:
    return len(data) if isinstance(data, bytes) or data.isascii() else len(data.encode())


class ChinwagSocketIO(socketio.AsyncServer):
    """python-socketio's server with chinwag's sessions in it. Handlers run inline in each
    socket's reader (async_handlers off): a socket's frames are handled in order, one at a
    time, as on /ws."""

    def __init__(self, app) -> None:
        settings = app.state.settings
        limit = settings.ws_max_frame_bytes
        super().__init__(
            async_mode="asgi",
            async_handlers=False,
            # The Origin is checked by the connect handler, to answer with chinwag's code:
            # [] turns Engine.IO's own CORS checks (a bare 400) off.
            cors_allowed_origins=[],
            transports=["polling", "websocket"] if settings.socketio_polling else ["websocket"],
            ping_interval=settings.ws_ping_interval,
            ping_timeout=settings.ws_ping_timeout,
            # Engine.IO drops a packet past its buffer (and the socket with it) unseen; below
            # that, the frame limit is ours to tell (`error`, then a disconnect).
            max_http_buffer_size=FRAME_READ_FACTOR * limit,
            logger=False,
            engineio_logger=False,
        )
        self.app = app
        self.sessions: dict[str, ChatSession] = {}
        self._addresses: dict[str, str] = {}
        self._cleanups: set[asyncio.Task] = set()
        self.on("connect", self._on_connect)
        self.on("disconnect", self._on_disconnect)
        self.on("*", self._on_event)

    @property
    def ctx(self) -> AppContext:
        return self.app.state.ctx

    async def handle_request(self, scope, receive, send) -> None:
        await self.eio.handle_request(scope, receive, send)

    # -- opening -----------------------------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        ctx = self.ctx
        opening = Opening(ctx.hub.opening)
        await opening.begin()
        try:
            await self._open(sid, environ, auth, ctx)
        except ChinwagError as exc:
            raise _refusal(exc) from None
        finally:
            opening.end()

    async def _open(self, sid: str, environ: dict, auth: object, ctx: AppContext) -> None:
        scope = environ["asgi.scope"]
        headers = Headers(scope=scope)
        if not origin_allowed(headers, ctx):
            raise ForbiddenOrigin("This origin may not open a socket")
        caller, chat_ids = await caller_of(ctx, _token(auth, headers, _query(scope)))
        client = scope.get("client")
        address = claim_socket(ctx, caller.user.id, client[0] if client else None)
        eio_sid = self.manager.eio_sid_from_sid(sid, NAMESPACE)
        connection = SioConnection(
            self.eio._get_socket(eio_sid),
            environ,
            lambda: self.disconnect(sid),
            caller.user.id,
            caller.session_id,
            ctx.settings.ws_send_queue,
            ctx.settings.ws_ping_timeout,
        )
        session = ChatSession(ctx, connection, caller, chat_ids)
        try:
            await session.open()
        except BaseException:  # DatabaseUnavailable (refused: retry), or a bug
            await session.close()
            ctx.hub.release_socket(caller.user.id, address)
            raise
        self.sessions[sid] = session
        self._addresses[sid] = address
        # A connection given up on (its writer stuck on a peer that reads nothing past the
        # close timeout) never said goodbye: the session is ended from here.
        connection.when_closed(lambda: self._forget(sid, connection))

    async def _handle_connect(self, eio_sid, namespace, data):
        await super()._handle_connect(eio_sid, namespace, data)
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or NAMESPACE)
        session = self.sessions.get(sid) if sid is not None else None
        if session is not None:
            # Not awaited here: under long-polling this runs in the POST that carried the
            # connect, which a client upgrading to WebSocket waits for.
            self._in_background(self._connected(eio_sid, session))

    async def _connected(self, eio_sid: str, session: ChatSession) -> None:
        """The connect's answer is in Engine.IO's queue; its writer sends what it takes from
        there at once, before this resumes (unless the socket is backed up, when the direct
        write refuses too): `ready` follows it, never overtakes it."""
        try:
            engine_socket = self.eio._get_socket(eio_sid)
        except KeyError:  # gone already: the disconnect cleans up
            return
        await engine_socket.queue.join()
        session.connection.connected()

    # -- frames ------------------------------------------------------------------------

    async def _handle_eio_message(self, eio_sid, data):
        sid = self.manager.sid_from_eio_sid(eio_sid, NAMESPACE)
        session = self.sessions.get(sid) if sid is not None else None
        if session is not None:
            if not session.fits(_size(data)):
                return
            if isinstance(data, bytes) or data.startswith(BINARY_PACKETS):
                session.refuse(FrameError("invalid_frame", "send JSON events, not binary"))
                return
        await super()._handle_eio_message(eio_sid, data)

    async def _on_event(self, event: str, sid: str, *args) -> dict | None:
        """One client event; what it returns answers the client's acknowledgement callback
        (a send's `{client_id, message}` or `{error: {code, message}}`)."""
        session = self.sessions.get(sid)
        if session is None:
            return None
        payload = args[0] if len(args) == 1 else None
        client_id = payload.get("client_id") if isinstance(payload, dict) else None
        client_id = client_id if isinstance(client_id, str) else None
        refused = session.over_rate(client_id)
        if refused is None:
            if isinstance(payload, dict):
                refused = await session.handle({**payload, "type": event})
            elif event == "ping" and not args:
                refused = await session.handle({"type": "ping"})
            else:
                message = "an event carries one JSON object"
                refused = session.refuse(FrameError("validation_error", message))
        if refused is None and event == "message.send":  # closed for flooding meanwhile
            refused = error_frame("rate_limited", "flooding: the socket is closed", client_id)
        return _callback_answer(refused)

    # -- closing -----------------------------------------------------------------------

    def _forget(self, sid: str, connection: SioConnection) -> None:
        if sid in self.sessions:
            self._in_background(self.disconnect(sid))
        self._in_background(connection.hang_up())

    def _in_background(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def _on_disconnect(self, sid: str, reason: object = None) -> None:
        session = self.sessions.pop(sid, None)
        if session is not None:
            # A task of its own: a disconnect of ours comes from the connection's writer,
            # which the cleanup waits for.
            self._in_background(self._cleanup(sid, session))

    async def _cleanup(self, sid: str, session: ChatSession) -> None:
        try:
            await session.close()
        finally:
            self.ctx.hub.release_socket(session.user.id, self._addresses.pop(sid, ""))


def _callback_answer(frame: dict | None) -> dict | None:
    if frame is None:
        return None
    if frame["type"] == "ack":
        return {"client_id": frame["client_id"], "message": frame["message"]}
    if frame["type"] == "message.updated":  # an edit's answer
        return {"message": frame["message"]}
    if frame["type"] == "command.result":
        return {k: v for k, v in frame.items() if k != "type"}
    if frame["type"] == "error":
        # the error shape of HTTP: what the frame says beside its type and client_id
        answer = {"error": {k: v for k, v in frame.items() if k not in ("type", "client_id")}}
        if "client_id" in frame:
            answer["client_id"] = frame["client_id"]
        return answer
    return None

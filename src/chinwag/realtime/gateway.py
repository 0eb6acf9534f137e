"""The WebSocket endpoint (/ws): handshake checks, the ready frame, then one reader loop per
socket that parses frames and calls services. Thin: the rules live in the services."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.websockets import WebSocketDisconnect

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.errors import ChinwagError, DatabaseUnavailable, TooManyRequests, error_body
from chinwag.limits import TokenBucket, address_key
from chinwag.messages import reading
from chinwag.messages import service as messages
from chinwag.metrics import count_close
from chinwag.realtime import service
from chinwag.realtime.broker import encode_event
from chinwag.realtime.connection import CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_TRY_AGAIN, Connection
from chinwag.realtime.protocol import (
    FrameError,
    PingFrame,
    ReadFrame,
    SendFrame,
    TypingFrame,
    error_frame,
    parse_frame,
)

log = logging.getLogger("chinwag.realtime")
router = APIRouter()

TYPING_INTERVAL = 3.0
PONG = encode_event({"type": "pong"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(websocket: WebSocket, ctx: AppContext) -> bool:
    """Browsers always send Origin: it must be ours. Other clients send none."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    allowed = {o.rstrip("/").lower() for o in ctx.settings.allowed_origins}
    if not allowed:
        host = websocket.headers.get("host", "")
        allowed = {_origin_of(ctx.settings.public_url), f"http://{host}", f"https://{host}"}
    return origin.rstrip("/").lower() in allowed


def _json_object(text: str) -> dict:
    """The frame's JSON object; FrameError for anything else, including what the parser
    refuses beyond syntax (nesting past its depth, integers past Python's digit limit)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise FrameError("invalid_json", "frame is not valid JSON") from None
    if not isinstance(raw, dict):
        raise FrameError("invalid_json", "a frame is a JSON object")
    return raw


def _client_id_of(text: str | None) -> str | None:
    """The client_id of a frame refused unread, so a sender can match the error to its send."""
    try:
        raw = _json_object(text) if text is not None else None
    except FrameError:
        return None
    client_id = raw.get("client_id") if raw else None
    return client_id if isinstance(client_id, str) else None


def _token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return websocket.query_params.get("token")


async def _authenticate(
    websocket: WebSocket, ctx: AppContext
) -> tuple[auth.Caller, set[int]] | tuple[None, None]:
    """The caller and the chats their socket follows (read together: one visit to the
    database), or (None, None) when refused."""
    token = _token(websocket)
    if not token or not origin_allowed(websocket, ctx):
        return None, None
    try:
        return await auth.authenticate_reading(ctx, token, service.chat_ids_unit)
    except DatabaseUnavailable:
        raise  # not a refusal of this caller: see websocket_endpoint
    except ChinwagError:
        return None, None


WS_PATH = "/ws"


@router.websocket(WS_PATH)
async def websocket_endpoint(websocket: WebSocket) -> None:
    ctx: AppContext = websocket.app.state.ctx
    # A storm of connections (a restart, a network blip) queues here, a few sockets opening
    # at a time, rather than in the database's pool, whose bounded wait would refuse most.
    opening = _Opening(ctx.hub.opening)
    await opening.begin()
    try:
        await _serve(websocket, ctx, opening)
    finally:
        opening.end()


async def _serve(websocket: WebSocket, ctx: AppContext, opening: _Opening) -> None:
    try:
        caller, chat_ids = await _authenticate(websocket, ctx)
    except DatabaseUnavailable as exc:
        await _deny(websocket, exc)
        return
    if caller is None:
        # Refused before accept: the client gets an HTTP 403 and never an event.
        await websocket.close(CLOSE_POLICY)
        return
    # Each socket costs memory and a descriptor: capped per account and per client address
    # (on this process).
    settings, user_id = ctx.settings, caller.user.id
    address = address_key(websocket.client.host if websocket.client else None)
    per_address = settings.ws_sockets_per_address if settings.http_rate_limits else None
    refused = ctx.hub.claim_socket(user_id, address, settings.ws_sockets_per_user, per_address)
    if refused:
        await _deny(websocket, TooManySockets(f"Too many open sockets: {refused}"))
        return
    try:
        await websocket.accept()
        await SocketSession(ctx, websocket, caller, chat_ids).run(opened=opening.end)
    finally:
        ctx.hub.release_socket(user_id, address)


class _Opening:
    """One socket's turn among those opening (hub.opening): from before authentication until
    its `ready` frame is queued, or it was refused."""

    __slots__ = ("_semaphore", "_held")

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore, self._held = semaphore, False

    async def begin(self) -> None:
        await self._semaphore.acquire()
        self._held = True

    def end(self) -> None:
        if self._held:
            self._held = False
            self._semaphore.release()


class TooManySockets(TooManyRequests):
    code = "too_many_sockets"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


async def _deny(websocket: WebSocket, exc: ChinwagError) -> None:
    """Refused before accept with the REST API's answer (a 503 or 429: retry later)."""
    response = JSONResponse(
        error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers
    )
    try:
        await websocket.send_denial_response(response)
    except RuntimeError:  # a server without the denial-response extension: a bare refusal
        await websocket.close(CLOSE_TRY_AGAIN)


class SocketSession:
    """One accepted socket: registration, the reader loop, and cleanup."""

    def __init__(
        self, ctx: AppContext, websocket: WebSocket, caller: auth.Caller, chat_ids: set[int]
    ) -> None:
        self.ctx, self.websocket, self.caller = ctx, websocket, caller
        self._chat_ids = chat_ids  # to follow, read with the caller
        self.user = caller.user
        self.connection = Connection(
            websocket,
            self.user.id,
            caller.session_id,
            ctx.settings.ws_send_queue,
            ctx.settings.ws_ping_timeout,
        )
        self._typing_at: dict[int, float] = {}
        # Every frame (ping, read, typing, send) spends one: a `read` is a transaction.
        self._frames = TokenBucket(ctx.settings.ws_frames_per_second, ctx.settings.ws_frames_burst)

    async def run(self, opened: Callable[[], None] = lambda: None) -> None:
        """Open (`opened()` once `ready` is queued or the open failed), then read until the
        socket ends."""
        try:
            try:
                await self._open()
            except DatabaseUnavailable:
                # Accepted, but `ready` could not be read: the client reconnects shortly.
                count_close(CLOSE_TRY_AGAIN)
                await self.websocket.close(CLOSE_TRY_AGAIN, "database unavailable; reconnect")
                return
            finally:
                opened()
            await self._read_until_closed()
        finally:
            await self._cleanup()

    async def _read_until_closed(self) -> None:
        """Read frames until the client goes or the connection is closed (by the hub, a
        flood, the writer), whichever comes first. It reads in the socket's own task (a task
        of its own per socket costs memory): a close cancels this task while it reads, and
        that cancellation, told from any other (the server stopping), ends the reading only."""
        task = asyncio.current_task()
        reading = True
        ours = False

        def stop_reading() -> None:
            nonlocal ours
            if reading and not ours:
                ours = True
                task.cancel()

        self.connection.when_closed(stop_reading)
        try:
            await self._read_loop()
        except asyncio.CancelledError:
            if not ours or task.uncancel() > 0:
                raise
        except Exception:  # a bug: never let it end a socket unseen
            log.exception("socket reader for user %s failed", self.user.id)
        finally:
            reading = False

    async def _open(self) -> None:
        hub, chat_ids = self.ctx.hub, self._chat_ids
        # Subscribe before reading the state sent in `ready`: an event committed in between
        # is then queued behind `ready`, never lost.
        first_here = await hub.add(self.connection, chat_ids)
        ready = await service.ready_frame(self.ctx, self.user)
        self.connection.send_first(encode_event(ready))
        self.connection.start()
        log.info(
            "socket opened for user %s",
            self.user.id,
            extra={"event": "ws_open", "user_id": self.user.id},
        )
        if first_here and await self._presence(self.ctx.presence.went_online):
            await service.publish_presence(self.ctx, self.user.id, "online", chat_ids)

    async def _cleanup(self) -> None:
        hub = self.ctx.hub
        known_chats = set(hub.user_chats.get(self.user.id, ()))
        last_here = await hub.remove(self.connection)
        await self.connection.stop()
        self.ctx.limiter.forget(self.user.id)
        if last_here and await self._presence(self.ctx.presence.went_offline):
            try:
                chat_ids = await service.chat_ids(self.ctx, self.user.id)
            except DatabaseUnavailable:
                chat_ids = known_chats  # what this process knew of them is near enough
            await service.publish_presence(self.ctx, self.user.id, "offline", chat_ids)
        log.info(
            "socket closed for user %s",
            self.user.id,
            extra={"event": "ws_close", "user_id": self.user.id},
        )

    async def _presence(self, change) -> bool:
        try:
            return await change(self.user.id)
        except (OSError, RedisError) as exc:
            log.warning("presence unavailable: %s", exc)
            return False

    async def _read_loop(self) -> None:
        limit = self.ctx.settings.ws_max_frame_bytes
        while True:
            try:
                message = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
            if size > limit:
                self.connection.close(CLOSE_TOO_BIG, f"frames are limited to {limit} bytes")
                return
            if not self._frames.take():
                if self._frames.refused >= self.ctx.settings.ws_flood_after:
                    self.connection.close(CLOSE_POLICY, "flooding")
                    return
                message = "slow down: too many frames"
                self._reply(error_frame("rate_limited", message, _client_id_of(text)))
                continue
            if text is None:
                # a binary frame, or text that isn't UTF-8 (see serving.GuardedWebSocketProtocol)
                self._reply(error_frame("invalid_frame", "send JSON text frames (UTF-8)"))
                continue
            await self._handle(text)

    async def _handle(self, text: str) -> None:
        frame = None
        try:
            raw = _json_object(text)
            frame = parse_frame(raw)
            await self._dispatch(frame)
        except FrameError as exc:
            self._reply(error_frame(exc.code, exc.message, exc.client_id))
        except Exception:  # a bug: answered as REST answers 500, and the socket stays open
            log.exception("frame from user %s failed", self.user.id)
            client_id = getattr(frame, "client_id", None)
            self._reply(error_frame("internal_error", "Something went wrong", client_id))

    async def _dispatch(self, frame) -> None:
        if isinstance(frame, SendFrame):
            await self._send(frame)
        elif isinstance(frame, TypingFrame):
            await self._typing(frame)
        elif isinstance(frame, ReadFrame):
            await self._read(frame)
        elif isinstance(frame, PingFrame):
            self.connection.send(PONG)

    def _reply(self, frame: dict) -> None:
        self.connection.send(encode_event(frame))

    async def _send(self, frame: SendFrame) -> None:
        try:
            sent = await messages.send_message(
                self.ctx,
                self.user,
                frame.chat_id,
                frame.text,
                frame.client_id,
                frame.reply_to,
                frame.attachment_ids,
            )
        except TooManyRequests as exc:
            if self.ctx.limiter.flooding(self.user.id):
                self.connection.close(CLOSE_POLICY, "flooding")
                return
            raise FrameError(exc.code, exc.message, frame.client_id) from None
        except ChinwagError as exc:
            raise FrameError(exc.code, exc.message, frame.client_id) from None
        # The message ends "is typing" for the others: the next `typing` is news again.
        self._typing_at.pop(frame.chat_id, None)
        self._reply({"type": "ack", "client_id": frame.client_id, "message": sent.message})

    async def _typing(self, frame: TypingFrame) -> None:
        if not self.ctx.hub.is_member(self.user.id, frame.chat_id):
            raise FrameError("not_found", "No such chat")
        now = time.monotonic()
        if now - self._typing_at.get(frame.chat_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return  # at most one typing event per chat every 3 s per socket
        self._typing_at[frame.chat_id] = now
        await service.publish_typing(self.ctx, self.user.id, frame.chat_id)

    async def _read(self, frame: ReadFrame) -> None:
        try:
            await reading.mark_read(self.ctx, self.user, frame.chat_id, frame.seq)
        except ChinwagError as exc:
            raise FrameError(exc.code, exc.message) from None

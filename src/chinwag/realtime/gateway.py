"""The WebSocket endpoint (/ws): the handshake's checks, then one reader loop per socket that
hands each frame to its chat session. Thin: the session (session.py) holds what every
transport shares, the services hold the rules."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from functools import partial

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.errors import ChinwagError, DatabaseUnavailable, error_body
from chinwag.metrics import count_close
from chinwag.realtime.connection import CLOSE_POLICY, CLOSE_TRY_AGAIN, Connection
from chinwag.realtime.handshake import (
    Opening,
    TooManySockets,
    bearer_token,
    caller_of,
    claim_socket,
    origin_allowed,
)
from chinwag.realtime.protocol import FrameError
from chinwag.realtime.session import ChatSession
from chinwag.twofactor.check import SetupRequired

log = logging.getLogger("chinwag.realtime")
router = APIRouter()

WS_PATH = "/ws"


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


async def _authenticate(
    websocket: WebSocket, ctx: AppContext
) -> tuple[auth.Caller, set[int]] | tuple[None, None]:
    """The caller and the chats their socket follows (read together: one visit to the
    database), or (None, None) when refused."""
    if not origin_allowed(websocket.headers, ctx):
        return None, None
    token = bearer_token(websocket.headers, websocket.query_params.get("token"))
    try:
        return await caller_of(ctx, token)
    except (DatabaseUnavailable, SetupRequired):
        raise  # answered with a reason the client acts on: see _serve
    except ChinwagError:
        return None, None


@router.websocket(WS_PATH)
async def websocket_endpoint(websocket: WebSocket) -> None:
    ctx: AppContext = websocket.app.state.ctx
    opening = Opening(ctx.hub.opening)
    await opening.begin()
    try:
        await _serve(websocket, ctx, opening)
    finally:
        opening.end()


async def _serve(websocket: WebSocket, ctx: AppContext, opening: Opening) -> None:
    try:
        caller, chat_ids = await _authenticate(websocket, ctx)
    except (DatabaseUnavailable, SetupRequired) as exc:
        await _deny(websocket, exc)
        return
    if caller is None:
        # Refused before accept: the client gets an HTTP 403 and never an event.
        await websocket.close(CLOSE_POLICY)
        return
    user_id = caller.user.id
    try:
        address = claim_socket(ctx, user_id, websocket.client.host if websocket.client else None)
    except TooManySockets as exc:
        await _deny(websocket, exc)
        return
    try:
        await websocket.accept()
        await SocketSession(ctx, websocket, caller, chat_ids).run(opened=opening.end)
    finally:
        ctx.hub.release_socket(user_id, address)


async def _deny(websocket: WebSocket, exc: ChinwagError) -> None:
    """Refused before accept with the REST API's answer (a 503 or 429: retry later; a 403
    two_factor_setup_required: set it up first)."""
    response = JSONResponse(
        error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers
    )
    try:
        await websocket.send_denial_response(response)
    except RuntimeError:  # a server without the denial-response extension: a bare refusal
        await websocket.close(CLOSE_TRY_AGAIN)


class SocketSession:
    """One accepted /ws socket: its chat session, the reader loop, and cleanup."""

    def __init__(
        self, ctx: AppContext, websocket: WebSocket, caller: auth.Caller, chat_ids: set[int]
    ) -> None:
        self.ctx, self.websocket = ctx, websocket
        self.user = caller.user
        self.connection = Connection(
            websocket,
            self.user.id,
            caller.session_id,
            ctx.settings.ws_send_queue,
            ctx.settings.ws_ping_timeout,
        )
        self.chat = ChatSession(ctx, self.connection, caller, chat_ids)

    async def run(self, opened: Callable[[], None] = lambda: None) -> None:
        """Open (`opened()` once `ready` is queued or the open failed), then read until the
        socket ends."""
        try:
            try:
                await self.chat.open()
            except DatabaseUnavailable:
                # Accepted, but `ready` could not be read: the client reconnects shortly.
                count_close(CLOSE_TRY_AGAIN)
                await self.websocket.close(CLOSE_TRY_AGAIN, "database unavailable; reconnect")
                return
            finally:
                opened()
            await self._read_until_closed()
        finally:
            await self.chat.close()

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

    async def _read_loop(self) -> None:
        chat = self.chat
        while True:
            try:
                message = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
            if not chat.admit(size, partial(_client_id_of, text)):
                if self.connection.closing:
                    return
                continue
            if text is None:
                # a binary frame, or text that isn't UTF-8 (see serving.GuardedWebSocketProtocol)
                chat.refuse(FrameError("invalid_frame", "send JSON text frames (UTF-8)"))
                continue
            try:
                raw = _json_object(text)
            except FrameError as exc:
                chat.refuse(exc)
                continue
            await chat.handle(raw)

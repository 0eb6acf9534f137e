"""One open socket's chat session, whatever carries it (/ws, Socket.IO): registration in the
hub and presence, the `ready` frame, the limits on what the client sends, the dispatch of its
frames to the services, and cleanup. A transport adds only its framing (gateway.py,
sio_gateway.py) and its outbox (connection.py, sio_connection.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import ChinwagError, DatabaseUnavailable, TooManyRequests
from chinwag.limits import TokenBucket
from chinwag.messages import reading
from chinwag.messages import service as messages
from chinwag.realtime import service
from chinwag.realtime.broker import encode_event
from chinwag.realtime.connection import CLOSE_POLICY, CLOSE_TOO_BIG, Outbox
from chinwag.realtime.protocol import (
    EditFrame,
    FrameError,
    PingFrame,
    ReadFrame,
    SendFrame,
    TypingFrame,
    error_frame,
    parse_frame,
)

log = logging.getLogger("chinwag.realtime")

TYPING_INTERVAL = 3.0
PONG = encode_event({"type": "pong"})


class ChatSession:
    """A caller's socket between `open()` and `close()`; `admit()` then `handle()` each frame."""

    def __init__(
        self, ctx: AppContext, connection: Outbox, caller: auth.Caller, chat_ids: set[int]
    ) -> None:
        self.ctx, self.connection, self.caller = ctx, connection, caller
        self._chat_ids = chat_ids  # to follow, read with the caller
        self.user = caller.user
        self._typing_at: dict[int, float] = {}
        # Every frame (ping, read, typing, send) spends one: a `read` is a transaction.
        self._frames = TokenBucket(ctx.settings.ws_frames_per_second, ctx.settings.ws_frames_burst)
        connection.on_account = self._account_changed

    async def open(self) -> None:
        """Register, queue `ready` and let it go; DatabaseUnavailable if it can't be read."""
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

    async def close(self) -> None:
        """Forget the socket (closing it if still open); offline if it was the user's last."""
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

    def _account_changed(self, me: dict) -> None:
        """The user's account changed (me.updated, on any process): a new name or address,
        a verified one. The next frames are checked against it, without reconnecting."""
        user = self.user
        user.username, user.email = me["username"], me["email"]
        if not me["email_verified"]:
            user.email_verified_at = None
        elif user.email_verified_at is None:
            user.email_verified_at = utcnow()  # when it reached us is near enough here

    async def _presence(self, change) -> bool:
        try:
            return await change(self.user.id)
        except (OSError, RedisError) as exc:
            log.warning("presence unavailable: %s", exc)
            return False

    def admit(self, size: int, client_id: Callable[[], str | None]) -> bool:
        """Whether a frame of `size` bytes may be handled (see `fits` and `over_rate`; the
        client_id of a refused send is only looked for then)."""
        return self.fits(size) and self.over_rate(client_id) is None

    def fits(self, size: int) -> bool:
        """False for a frame over the size limit, which closes the socket."""
        limit = self.ctx.settings.ws_max_frame_bytes
        if size > limit:
            self.connection.close(CLOSE_TOO_BIG, f"frames are limited to {limit} bytes")
            return False
        return True

    def over_rate(self, client_id: str | None | Callable[[], str | None]) -> dict | None:
        """None while the client keeps to the frame rate. Past it, the `rate_limited` error
        frame sent (matched to its send by the client_id); repeated flooding closes the
        socket (and answers a generic refusal)."""
        if self._frames.take():
            return None
        if self._frames.refused >= self.ctx.settings.ws_flood_after:
            self.connection.close(CLOSE_POLICY, "flooding")
            return error_frame("rate_limited", "flooding: the socket is closed")
        client_id = client_id() if callable(client_id) else client_id
        return self.refuse(FrameError("rate_limited", "slow down: too many frames", client_id))

    def refuse(self, error: FrameError) -> dict:
        """Answer a frame with an `error` frame (the socket stays open); that frame."""
        frame = error_frame(error.code, error.message, error.client_id, error.extra)
        self._reply(frame)
        return frame

    async def handle(self, raw: dict) -> dict | None:
        """Parse and carry out one frame. The answer to a send (its `ack` or `error` frame,
        also sent to the socket) or an edit (the `message.updated` it published, which the
        chat's channel brings to this socket too), else None."""
        frame = None
        try:
            frame = parse_frame(raw)
            return await self._dispatch(frame)
        except FrameError as exc:
            return self.refuse(exc)
        except Exception:  # a bug: answered as REST answers 500, and the socket stays open
            log.exception("frame from user %s failed", self.user.id)
            client_id = getattr(frame, "client_id", None)
            return self.refuse(FrameError("internal_error", "Something went wrong", client_id))

    async def _dispatch(self, frame) -> dict | None:
        if isinstance(frame, SendFrame):
            return await self._send(frame)
        if isinstance(frame, EditFrame):
            return await self._edit(frame)
        if isinstance(frame, TypingFrame):
            await self._typing(frame)
        elif isinstance(frame, ReadFrame):
            await self._read(frame)
        elif isinstance(frame, PingFrame):
            self.connection.send(PONG)
        return None

    def _reply(self, frame: dict) -> None:
        self.connection.send(encode_event(frame))

    async def _send(self, frame: SendFrame) -> dict | None:
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
                return None
            raise FrameError(exc.code, exc.message, frame.client_id) from None
        except ChinwagError as exc:
            raise FrameError(exc.code, exc.message, frame.client_id, exc.extra) from None
        if sent.command is not None:  # for this socket alone: nothing was stored or published
            result = {"type": "command.result", "client_id": frame.client_id, **sent.command}
            self._reply(result)
            return result
        # The message ends "is typing" for the others: the next `typing` is news again.
        self._typing_at.pop(frame.chat_id, None)
        ack = {"type": "ack", "client_id": frame.client_id, "message": sent.message}
        self._reply(ack)
        return ack

    async def _edit(self, frame: EditFrame) -> dict:
        """As PATCH /api/messages/{id}: the edit keeps the version it replaces. No ack: the
        `message.updated` to the chat reaches this socket too; a refusal names the message."""
        try:
            message = await messages.edit_message(self.ctx, self.user, frame.message_id, frame.text)
        except ChinwagError as exc:
            extra = {**(exc.extra or {}), "message_id": frame.message_id}
            raise FrameError(exc.code, exc.message, extra=extra) from None
        return {"type": "message.updated", "message": message}

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

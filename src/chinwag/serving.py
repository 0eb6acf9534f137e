"""How chinwag is served: uvicorn's options from the settings, the descriptor limit, and an
HTTP protocol that bounds what a connection may cost before its request is known.

uvicorn's httptools protocol has no deadline for a request's headers and no cap on their size:
a client trickling one byte every few seconds holds a descriptor for ever (slowloris), and one
huge header is buffered whole. `GuardedHttpToolsProtocol` adds, until a request's headers are
complete, a deadline (408), a size cap (431), and a cap on the connections one address may
have still sending their first request's headers (429)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import resource
import socket
import struct
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from chinwag.config import Settings, load_settings
from chinwag.errors import error_body
from chinwag.lightsync import Flag, Inbox
from chinwag.limits import address_key, release

log = logging.getLogger("chinwag.serving")

# A response written by the protocol itself is never a page: nothing to sniff, run or frame.
REFUSAL_HEADERS = (
    b"content-type: application/json\r\n"
    b"x-content-type-options: nosniff\r\n"
    b"content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n"
    b"cache-control: no-store\r\n"
    b"connection: close\r\n"
)
LINGER_SECONDS = 2.0  # after a refusal, before the connection is closed
# The ASGI scope extension under which a socket offers GuardedWebSocketProtocol.write_frame.
WRITE_FRAME = "chinwag.write_frame"


@dataclass
class HeaderGuard:
    """The bounds, and the count of connections per address still sending their headers."""

    timeout: float
    max_bytes: int
    pending_per_address: int | None  # None: no per-address cap (CHINWAG_HTTP_RATE_LIMITS=off)
    pending: Counter = field(default_factory=Counter)

    @classmethod
    def from_settings(cls, settings: Settings) -> HeaderGuard:
        return cls(
            timeout=settings.http_header_timeout,
            max_bytes=settings.http_max_header_bytes,
            pending_per_address=(
                settings.http_pending_per_address if settings.http_rate_limits else None
            ),
        )

    def admit(self, address: str | None) -> bool:
        if address is None:
            return True
        if self.pending_per_address is not None and (
            self.pending[address] >= self.pending_per_address
        ):
            return False
        self.pending[address] += 1
        return True

    def release(self, address: str) -> None:
        release(self.pending, address)


@cache
def _guard_from_environment() -> HeaderGuard:
    # `chinwag serve --workers N` starts each worker from the environment (uvicorn pickles the
    # protocol class by name), so a worker reads the same settings the command did.
    return HeaderGuard.from_settings(load_settings())


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, bounded while a request's headers arrive."""

    guard: ClassVar[HeaderGuard | None] = None  # set by guarded_protocol(); else from the env

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = self.guard or _guard_from_environment()
        self._awaiting_headers = True
        self._header_bytes = 0
        self._deadline = None
        self._pending_address: str | None = None  # counted in guard.pending until headers end
        self._discarding = False  # refused: what the client still sends is dropped

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Counted like every per-address limit (an IPv6 client by its /64).
        address = address_key(self.client[0]) if self.client else None
        if not self._guard.admit(address):
            self._refuse(
                429,
                "rate_limited",
                "too many connections from your address are still sending a request",
                retry_after=int(self._guard.timeout) or 1,
            )
            return
        self._pending_address = address
        self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        if self._awaiting_headers:
            self._header_bytes += len(data)
            if self._deadline is None:  # the next request on a kept-alive connection
                self._arm_deadline()
        super().data_received(data)
        if self._awaiting_headers and self._header_bytes > self._guard.max_bytes:
            self._refuse(
                431,
                "headers_too_large",
                f"request line and headers are limited to {self._guard.max_bytes} bytes",
            )

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_headers, self._header_bytes = True, 0

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad_request", msg)

    def _arm_deadline(self) -> None:
        self._deadline = self.loop.call_later(self._guard.timeout, self._too_slow)

    def _headers_done(self) -> None:
        self._awaiting_headers, self._header_bytes = False, 0
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._pending_address is not None:
            self._guard.release(self._pending_address)
            self._pending_address = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._header_bytes == 0:
            # An idle connection (a browser's preconnect, a kept-alive one): closed quietly,
            # as a 408 there would be read as the answer to the next request.
            self._headers_done()
            self.transport.close()
            return
        self._refuse(
            408, "request_timeout", f"headers not received within {self._guard.timeout:g} s"
        )

    def _refuse(self, status: int, code: str, message: str, retry_after: int = 0) -> None:
        """Answer without running the app, and close: the request was never read."""
        self._headers_done()
        if self.transport.is_closing():
            return
        body = json.dumps(error_body(code, message)).encode()
        head = [STATUS_LINE[status]]
        defaults = self.server_state.default_headers  # date, server
        head += [name + b": " + value + b"\r\n" for name, value in defaults]
        head.append(REFUSAL_HEADERS)
        if retry_after:
            head.append(b"retry-after: %d\r\n" % retry_after)
        head.append(b"content-length: %d\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # Closing with the client's bytes unread would reset the connection and could lose
        # the answer: send it and a FIN, then read and drop what still comes, for a moment.
        self.transport.write_eof()
        self._discarding = True
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


class _AbortingTransport:
    """A socket's transport whose close() is made final: asyncio's close() waits for the
    write buffer to drain, which a peer that reads nothing never lets happen (its close frame
    waits behind megabytes of events, the descriptor held for minutes); after the close
    timeout the connection is aborted."""

    def __init__(self, transport, timeout: float) -> None:
        self._transport, self._timeout = transport, timeout
        self._abort_timer = None
        # Bound once: every delivery writes, and __getattr__ would be asked each time.
        self.write, self.is_closing = transport.write, transport.is_closing

    def close(self) -> None:
        self._transport.close()
        if self._abort_timer is None:  # cancelled by forget() once the connection is lost
            loop = asyncio.get_running_loop()
            self._abort_timer = loop.call_later(self._timeout, self._reset)

    def _reset(self) -> None:
        # A zero linger time makes the kernel drop the unsent data and answer RST at once;
        # a plain close would leave it retrying the unread bytes for minutes.
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            # uvloop's socket may be closed by now (a negative descriptor: ValueError).
            with contextlib.suppress(OSError, ValueError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()

    def forget(self) -> None:
        if self._abort_timer is not None:
            self._abort_timer.cancel()
            self._abort_timer = None

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, whose connections always end (closing one that
    still has unsent data aborts it after the close timeout), and which hands a text message
    that isn't UTF-8 to the app as the bytes it is: uvicorn would log an ERROR with a
    traceback for each and close with 1007, so a client could flood the log, one socket after
    another. The gateway answers it as any frame that isn't JSON text: an `invalid_frame`
    error, the socket kept open (the protocol's contract for a bad frame, not RFC 6455's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn waits a fixed 10 s for the peer's closing handshake; the peer gets as long
        # as it has to answer a ping (CHINWAG_WS_PING_TIMEOUT), the app's own close timeout.
        self.close_timeout = self.config.ws_ping_timeout
        # The same, lighter: a socket holds them for its whole life (see chinwag.lightsync).
        self.queue = Inbox()
        self.writable = Flag(True)

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(_AbortingTransport(transport, self.close_timeout))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport.forget()
        super().connection_lost(exc)

    def handle_connect(self, event) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # a handshake the app will see: offer it the direct write
            scope["extensions"][WRITE_FRAME] = self.write_frame

    def write_frame(self, frame: bytes) -> bool:
        """Write a frame serialised by the caller (unmasked, the same bytes for every
        recipient) at once, when nothing stands in the way: the socket open, its buffer not
        backed up, no extension (compression frames per socket). False: send it through ASGI.
        A delivery then costs one transport write, not a task wake-up and four layers."""
        if (
            self.disconnected
            or self.close_sent
            or not self.handshake_complete
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
            or self.conn.extensions
        ):
            return False
        self.transport.write(frame)
        return True

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text":
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            if not _is_utf8(data):
                self.curr_msg_data_type = "bytes"  # what uvicorn's method then passes on
        super().send_receive_event_to_app()

    async def send(self, message) -> None:  # type: ignore[override]
        await super().send(message)
        if message["type"] == "websocket.accept":
            # The handshake's request and response (headers parsed twice over, ~3 KiB) are
            # never read again; the app keeps what it needs in the scope. The request stays
            # referenced from the parser's frame (websockets' ServerProtocol.parse): emptied.
            if self.request is not None:
                self.request.headers.clear()
            self.request = self.response = None
        elif message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A refusal answered in full (429, 503) is a finished handshake: uvicorn would
            # log "returned without completing handshake" for each (Kludex/uvicorn#3138).
            self.handshake_complete = True


def guarded_protocol(settings: Settings) -> type[GuardedHttpToolsProtocol]:
    """The protocol bound to these settings (for servers run in this process, e.g. tests)."""
    guard = HeaderGuard.from_settings(settings)
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"guard": guard})


# Frames up to this many times CHINWAG_WS_MAX_FRAME_BYTES are read, so that the transport
# (/ws, Socket.IO) answers one over the limit itself: Socket.IO has no close code to say it
# with, only an `error` event. Past this, the server closes the socket with 1009 unread.
FRAME_READ_FACTOR = 4


def uvicorn_options(settings: Settings, protocol: type | None = None) -> dict:
    """Everything chinwag passes to uvicorn, for `chinwag serve` and for tests' servers."""
    return {
        "http": protocol or GuardedHttpToolsProtocol,
        "ws": GuardedWebSocketProtocol,
        "timeout_keep_alive": settings.http_keepalive_timeout,
        "ws_max_size": FRAME_READ_FACTOR * settings.ws_max_frame_bytes,
        "ws_ping_interval": settings.ws_ping_interval,
        "ws_ping_timeout": settings.ws_ping_timeout,
        "ws_per_message_deflate": settings.ws_compression,
        "access_log": False,
        "log_config": None,
        # The client's address and scheme from X-Forwarded-For/-Proto only when the peer is
        # a proxy named in CHINWAG_FORWARDED_ALLOW_IPS; otherwise any client could claim any
        # address (and escape the per-address limits) or https.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        **_tls_options(settings),
    }


def tune_garbage_collector() -> None:
    """Fewer, later full collections. A full (generation 2) collection walks every object a
    server holds: with 10,000 sockets open it stalls the event loop ~1 s (bench/day.py: p99
    0.7-1 s in the runs where one fell inside the sending; 8-9 ms where none did). The
    youngest generation is collected every 10,000 allocations (not 700) and a full collection
    waits for 100 of the middle one's (not 10), so none runs in a day's half minute; what
    start-up created (modules, the app) is frozen out of every collection."""
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def _tls_options(settings: Settings) -> dict:
    if not settings.serves_tls:
        return {}
    return {"ssl_certfile": str(settings.tls_certfile), "ssl_keyfile": str(settings.tls_keyfile)}


WILDCARD_HOSTS = {"", "0.0.0.0", "::"}  # noqa: S104 - names of "every address", not a bind


def served_url(host: str, port: int, *, tls: bool = False) -> str:
    """The URL a browser on this machine opens for `--host host --port port`: the default of
    CHINWAG_PUBLIC_URL when it is unset (so `make run PORT=9000` mails links to :9000)."""
    scheme = "https" if tls else "http"
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    default_port = 443 if tls else 80
    return f"{scheme}://{host}" + ("" if port == default_port else f":{port}")


def raise_descriptor_limit() -> int:
    """Lift the soft limit on open descriptors to the hard one: every socket is one, and the
    usual soft limit (1,024) is reached by a thousand clients. Returns the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-file limit from %d: %s", soft, exc)
    return soft

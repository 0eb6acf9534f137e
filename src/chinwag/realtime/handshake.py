"""What opening a socket shares, whatever its transport (/ws, Socket.IO): one turn among those
opening, the token, the caller read with their chats, the socket caps, the Origin check."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlsplit

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.errors import ChinwagError, TooManyRequests, Unauthorized
from chinwag.limits import address_key
from chinwag.realtime import service
from chinwag.twofactor.check import SetupRequired


class Opening:
    """One socket's turn among those opening (hub.opening): from before authentication until
    its `ready` frame is queued, or it was refused. A storm of connections (a restart, a
    network blip) queues here, a few sockets at a time, rather than in the database's pool,
    whose bounded wait would refuse most."""

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


class ForbiddenOrigin(ChinwagError):
    status, code = 403, "forbidden_origin"


def bearer_token(headers: Mapping[str, str], query_token: str | None) -> str | None:
    """The access token of an `Authorization: Bearer` header, else of `?token=`."""
    header = headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return query_token


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(headers: Mapping[str, str], ctx: AppContext) -> bool:
    """Browsers always send Origin: it must be ours. Other clients send none."""
    origin = headers.get("origin")
    if origin is None:
        return True
    allowed = {o.rstrip("/").lower() for o in ctx.settings.allowed_origins}
    if not allowed:
        host = headers.get("host", "")
        allowed = {_origin_of(ctx.settings.public_url), f"http://{host}", f"https://{host}"}
    return origin.rstrip("/").lower() in allowed


async def caller_of(ctx: AppContext, token: str | None) -> tuple[auth.Caller, set[int]]:
    """The caller and the chats their socket follows, read together (one visit to the
    database). Unauthorized (`unauthorized`, `invalid_token`) when refused;
    DatabaseUnavailable is no refusal of this caller: the client retries. SetupRequired
    (403 two_factor_setup_required) for a token limited to the two-factor setup."""
    if not token:
        raise Unauthorized("An access token is required")
    caller, chat_ids = await auth.authenticate_reading(ctx, token, service.chat_ids_unit)
    if caller.setup_required:
        raise SetupRequired()
    return caller, chat_ids


def claim_socket(ctx: AppContext, user_id: int, client_host: str | None) -> str:
    """Count a socket about to open against the caps per account and per client address (on
    this process): each socket costs memory and a descriptor. The address key, to release
    with hub.release_socket; TooManySockets past a cap."""
    settings = ctx.settings
    address = address_key(client_host)
    per_address = settings.ws_sockets_per_address if settings.http_rate_limits else None
    refused = ctx.hub.claim_socket(user_id, address, settings.ws_sockets_per_user, per_address)
    if refused:
        raise TooManySockets(f"Too many open sockets: {refused}")
    return address

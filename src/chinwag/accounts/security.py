"""Password hashing (argon2id), access tokens (JWT naming a session) and opaque secrets."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from chinwag.db.base import utcnow
from chinwag.errors import ServerBusy

JWT_ALGORITHM = "HS256"


class PasswordHasher:
    """argon2id; hashing runs in a thread because it takes tens of milliseconds of CPU. At
    most `concurrency` hashes run at once and at most `queue` wait for a turn; beyond that a
    caller is refused at once (503 server_busy, Retry-After), so a flood of sign-ins can't
    make every real one wait seconds."""

    def __init__(
        self,
        time_cost: int = 3,
        memory_cost_kib: int = 65536,
        *,
        concurrency: int = 2,
        queue: int = 32,
    ) -> None:
        self._hash = PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost_kib),))
        # Verified against when the account is unknown, so both cases cost the same time.
        self._decoy = self._hash.hash(secrets.token_urlsafe(16))
        self._slots = asyncio.Semaphore(concurrency)
        self._queue, self._waiting = queue, 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """One hash's turn: wait for a slot, or ServerBusy when too many wait already."""
        if self._slots.locked() and self._waiting >= self._queue:
            raise ServerBusy("Too many sign-ins at once; try again in a moment")
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    async def hash(self, password: str) -> str:
        async with self.turn():
            return await asyncio.to_thread(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        target = password_hash or self._decoy
        async with self.turn():
            ok = await asyncio.to_thread(self._hash.verify, password, target)
        return ok and password_hash is not None


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: str
    setup_required: bool = False  # limited to the two-factor setup


def create_access_token(
    key: str, user_id: int, session_id: str, minutes: int, setup_required: bool = False
) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "typ": "access",
    }
    if setup_required:
        # In the token, not read per request: a token made before the requirement (or before
        # the setup) keeps its scope until the next refresh, at most its lifetime.
        claims["tfa"] = "setup"
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


def decode_access_token(key: str, token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired access token, else None."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "sid", "exp"]}
        )
        if claims.get("typ") != "access":
            return None
        return AccessClaims(
            user_id=int(claims["sub"]),
            session_id=str(claims["sid"]),
            setup_required=claims.get("tfa") == "setup",
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """Stored instead of the secret: a leaked table gives no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def device_token(key: str, user_id: int) -> str:
    """A token naming one device an account signed in from: `user_id.nonce.signature`. Kept
    in a cookie; a sign-in presenting it is throttled by that device's own failures only."""
    nonce = secrets.token_urlsafe(16)
    return f"{user_id}.{nonce}.{_device_signature(key, user_id, nonce)}"


def device_nonce(key: str, token: str | None, user_id: int) -> str | None:
    """The device's nonce if `token` is a genuine device token of `user_id`."""
    owner, _, rest = (token or "").partition(".")
    nonce, _, signature = rest.partition(".")
    if owner != str(user_id) or not nonce or not signature:
        return None
    expected = _device_signature(key, user_id, nonce)
    return nonce if hmac.compare_digest(signature, expected) else None


def _device_signature(key: str, user_id: int, nonce: str) -> str:
    message = f"chinwag-device:{user_id}:{nonce}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()

"""Signing in and out: sessions (one per device), token rotation and login throttling.

Async entry points (login, refresh, authenticate, sign_out, revoke_own_session) run their
database work as units (chinwag.db.units); the sync helpers taking `db` run inside units.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from chinwag.accounts import store
from chinwag.accounts.models import LoginFailure, Session, User
from chinwag.accounts.security import (
    create_access_token,
    decode_access_token,
    device_nonce,
    device_token,
    new_secret,
    secret_hash,
)
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from chinwag.events import PendingEvents, write_and_publish
from chinwag.twofactor import check as two_factor

T = TypeVar("T")
log = logging.getLogger("chinwag.accounts")

INVALID_CREDENTIALS = "Wrong login or password"
INVALID_REFRESH = "Refresh token is invalid or expired"
DEACTIVATED = "This account has been deactivated; ask a site administrator"
CODE_REQUIRED = "Enter the code from your authenticator app (or a recovery code)"
WRONG_CODE = "Wrong or already used authentication code"
PASSWORD_SIGNIN_OFF = "Password sign-in is turned off here: sign in with single sign-on"  # noqa: S105


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: Session
    access_token: str
    refresh_token: str
    expires_in: int
    device_token: str = ""  # for the device cookie (sign-ins by password only)
    setup_required: bool = False  # the access token opens only the two-factor setup


@dataclass(frozen=True)
class Caller:
    """Who is making a request: the user and the session their access token names."""

    user: User
    session_id: str
    # The workspace requires two-factor sign-in and this account hasn't set it up (a claim
    # of the access token): only the setup is open to it (deps.get_caller).
    setup_required: bool = False


def ensure_password_signin(settings) -> None:
    """Refuse what takes or sets a password when CHINWAG_PASSWORD_SIGNIN=off (single sign-on
    only); the command line doesn't ask."""
    if not settings.password_signin:
        raise Forbidden(PASSWORD_SIGNIN_OFF, code="password_signin_off")


def _throttle_key(login: str, user: User | None, nonce: str | None) -> str:
    """Whose failures an attempt counts and is checked against: the trusted device's when it
    presented this account's device token (`nonce`: so that guesses from elsewhere never lock
    the owner out of a device they signed in on before), else the account's (email and
    username share it), else the typed login's, so an unknown account is throttled exactly
    like a known one."""
    if user is not None:
        return secret_hash(f"device:{nonce}" if nonce else f"user:{user.id}")
    return secret_hash(f"login:{login.lower()}")


def _check_throttle(db: Tx, ctx: AppContext, key: str) -> None:
    """Past the allowed failures in the window, each attempt waits after the latest failure:
    1 s, then twice as long after every further failure, up to the window (a progressive
    delay, not a lock: the owner waits seconds, a guesser gets a few more tries an hour)."""
    window = ctx.settings.login_window_seconds
    count, latest = store.recent_failures(db, key, utcnow() - timedelta(seconds=window))
    over = count - ctx.settings.login_max_failures
    if over < 0:
        return
    delay = timedelta(seconds=min(2.0**over, window))
    wait = (latest + delay - utcnow()).total_seconds()
    if wait > 0:
        raise TooManyRequests(
            "Too many failed sign-in attempts; try again later",
            code="too_many_attempts",
            headers={"Retry-After": str(math.ceil(wait))},
        )


def _record_failure(db: Tx, ctx: AppContext, key: str) -> None:
    since = utcnow() - timedelta(seconds=ctx.settings.login_window_seconds)
    store.prune_failures(db, key, since)
    db.add(LoginFailure(login_key=key))


def _claim_attempt(
    db: Tx, ctx: AppContext, login_name: str, device: str | None
) -> tuple[User | None, str, bool]:
    """Write unit: the account (if any), its throttle key and whether `device` is one of its
    trusted devices, this attempt already counted as a failure (a success clears it):
    parallel guesses are counted before any of them is checked, so no more than the allowed
    number ever reach argon2. Raises when throttled."""
    user = store.find_user_by_login(db, login_name)
    nonce = device_nonce(ctx.settings.signing_key, device, user.id) if user else None
    key = _throttle_key(login_name, user, nonce)
    store.lock_login(db, key)
    _check_throttle(db, ctx, key)
    _record_failure(db, ctx, key)
    return user, key, nonce is not None


def claim_code_attempt(db: Tx, ctx: AppContext, user_id: int) -> str:
    """Write unit: count a signed-in account's attempt at its second factor (and password)
    as a failure until it succeeds (attempt_succeeded), throttled as sign-ins are, so a stolen
    session guesses codes no faster than a sign-in could. Counted apart from the account's
    sign-in failures: such a session can't slow its owner's sign-in down. Its key."""
    key = secret_hash(f"two-factor:{user_id}")
    store.lock_login(db, key)
    _check_throttle(db, ctx, key)
    _record_failure(db, ctx, key)
    return key


def attempt_succeeded(db: Tx, key: str) -> None:
    store.clear_failures(db, key)


def _login_succeeded(
    db: Tx, ctx: AppContext, key: str, user: User, user_agent: str, code: str | None
):
    """Write unit, once the password is right: the second factor when the account has one
    (a refusal leaves this attempt counted as a failure, like a wrong password, so codes are
    throttled as passwords are), then the new session."""
    if two_factor.is_enabled(db, user.id):
        if code is None:
            raise Unauthorized(CODE_REQUIRED, code="two_factor_required")
        if not two_factor.spend_code(db, ctx.settings.signing_key, user.id, code):
            raise Unauthorized(WRONG_CODE, code="invalid_two_factor_code")
    store.clear_failures(db, key)
    return open_session(db, ctx, user, user_agent)


async def login(
    ctx: AppContext,
    login_name: str,
    password: str,
    user_agent: str,
    device: str | None = None,
    code: str | None = None,
) -> SignedIn:
    """Check the password (throttled per account, or per trusted `device`: a device token
    from an earlier sign-in of this account), then the second factor `code` when the account
    has two-factor sign-in, and open a new session."""
    user, key, trusted = await ctx.db.write(_claim_attempt, ctx, login_name, device)
    # argon2 runs between units: no transaction (nor SQLite's one writer) waits for it.
    ok = await ctx.hasher.verify(password, user.password_hash if user else None)
    if not ok:
        log.info("login failed", extra={"event": "login_failed"})
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    if not user.is_active:
        # Said only to whoever knows the password: no one else learns the account exists.
        log.info("login of deactivated user %s refused", user.id, extra={"event": "login_failed"})
        raise Forbidden(DEACTIVATED, code="account_deactivated")
    try:
        signed = await ctx.db.write(_login_succeeded, ctx, key, user, user_agent, code)
    except Unauthorized as exc:
        if exc.code == "invalid_two_factor_code":
            log.info("wrong second factor", extra={"event": "login_failed"})
        raise
    log.info("user %s signed in", user.id, extra={"event": "login", "user_id": user.id})
    if not trusted:
        device = device_token(ctx.settings.signing_key, user.id)
    return replace(signed, device_token=device)


def open_session(db: Tx, ctx: AppContext, user: User, user_agent: str) -> SignedIn:
    """Add a new session (device) for `user` and make its tokens; stored when the unit
    commits."""
    session = Session(
        id=secrets.token_hex(16),
        user_id=user.id,
        user_agent=user_agent[:255],
        expires_at=utcnow() + timedelta(days=ctx.settings.refresh_token_days),
    )
    refresh_token = _rotate(session)
    db.add(session)
    return _signed_in(ctx, user, session, refresh_token, two_factor.setup_required(db, user.id))


def _rotate(session: Session) -> str:
    """Give the session a new refresh token; the token carries the session id before a dot."""
    secret = new_secret()
    session.refresh_token_hash = secret_hash(secret)
    session.last_used_at = utcnow()
    return f"{session.id}.{secret}"


def _signed_in(
    ctx: AppContext, user: User, session: Session, refresh: str, setup_required: bool
) -> SignedIn:
    minutes = ctx.settings.access_token_minutes
    key = ctx.settings.signing_key
    access = create_access_token(key, user.id, session.id, minutes, setup_required)
    return SignedIn(user, session, access, refresh, minutes * 60, "", setup_required)


def _refresh_session(
    db: Tx, events: PendingEvents, ctx: AppContext, session_id: str, secret: str
) -> SignedIn | None:
    """Write unit: rotate the session's refresh token. None when the token was already
    rotated away: then the session is revoked (and that must be committed, so no raise)."""
    session = db.get(Session, session_id)
    if session is None or session.revoked_at or session.expires_at <= utcnow():
        raise Unauthorized(INVALID_REFRESH, code="invalid_token")
    if not secrets.compare_digest(session.refresh_token_hash, secret_hash(secret)):
        revoke_sessions(db, events, session.user_id, [session.id])
        return None
    user = db.get(User, session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized(INVALID_REFRESH, code="invalid_token")
    setup = two_factor.setup_required(db, user.id)
    return _signed_in(ctx, user, session, _rotate(session), setup)


async def refresh(ctx: AppContext, refresh_token: str) -> SignedIn:
    """Trade a refresh token for a new pair. A token already rotated away revokes its session:
    someone else has it."""
    session_id, _, secret = refresh_token.partition(".")
    if not (session_id and secret):
        raise Unauthorized(INVALID_REFRESH, code="invalid_token")
    signed = await write_and_publish(ctx, _refresh_session, ctx, session_id, secret)
    if signed is None:
        log.warning("refresh token reuse; session revoked", extra={"event": "token_reuse"})
        raise Unauthorized("Refresh token was already used", code="invalid_token")
    return signed


def _session_user(db: Tx, user_id: int, session_id: str) -> User | None:
    """Read unit: the user, if `session_id` is one of their sessions, still open, and they
    are active (store.session_user: prepared, the User detached)."""
    found = store.session_user(db, user_id, session_id)
    if found is None:
        return None
    user, revoked_at, expires_at = found
    if revoked_at or expires_at <= utcnow() or not user.is_active:
        return None
    return user


async def authenticate(ctx: AppContext, access_token: str) -> Caller:
    """The caller named by a valid access token whose session is still open."""
    caller, _ = await authenticate_reading(ctx, access_token, _nothing)
    return caller


async def authenticate_reading(
    ctx: AppContext, access_token: str, read: Callable[[Tx, int], T]
) -> tuple[Caller, T]:
    """authenticate, and `read(db, user_id)` in the same unit: what a socket opening needs
    next comes in the same visit to the database (on PostgreSQL, the same connection)."""
    claims = decode_access_token(ctx.settings.signing_key, access_token)
    if claims is None:
        raise Unauthorized("Access token is invalid or expired", code="invalid_token")
    user, extra = await ctx.db.read_inline(
        _session_user_and, claims.user_id, claims.session_id, read
    )
    if user is None:
        raise Unauthorized("Session has ended; sign in again", code="invalid_token")
    return Caller(user, claims.session_id, claims.setup_required), extra


def _session_user_and(db: Tx, user_id: int, session_id: str, read: Callable[[Tx, int], T]):
    user = _session_user(db, user_id, session_id)
    return user, (read(db, user_id) if user is not None else None)


def _nothing(_db: Tx, _user_id: int) -> None:
    return None


def revoke_sessions(
    db: Tx,
    events: PendingEvents,
    user_id: int,
    session_ids: list[str] | None = None,
    *,
    keep: str | None = None,
) -> list[str]:
    """Revoke some (or all but `keep`) open sessions of a user; queue the session.revoked
    event that closes their sockets once this is committed (run by write_and_publish)."""
    ids = store.open_session_ids(db, user_id, session_ids, keep)
    if ids:
        store.mark_revoked(db, ids)
        events.to_user(user_id, {"type": "session.revoked", "user_id": user_id, "session_ids": ids})
    return ids


def _revoke_unit(db: Tx, events: PendingEvents, user_id, session_ids, keep) -> list[str]:
    # write_and_publish passes positional arguments only; `keep` is keyword-only.
    return revoke_sessions(db, events, user_id, session_ids, keep=keep)


async def sign_out(
    ctx: AppContext,
    user_id: int,
    session_ids: list[str] | None = None,
    *,
    keep: str | None = None,
) -> list[str]:
    """Revoke some (or all but `keep`) open sessions of a user, commit, then close their
    sockets. Answers the ids revoked."""
    return await write_and_publish(ctx, _revoke_unit, user_id, session_ids, keep)


async def revoke_own_session(ctx: AppContext, user_id: int, session_id: str) -> None:
    """Sign one of your devices out."""
    if not await sign_out(ctx, user_id, [session_id]):
        raise NotFound("No such session")

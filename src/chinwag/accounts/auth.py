"""Signing in and out: sessions (one per device), token rotation and login throttling."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import LoginFailure, Session, User
from chinwag.accounts.security import (
    create_access_token,
    decode_access_token,
    new_secret,
    secret_hash,
)
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import NotFound, TooManyRequests, Unauthorized
from chinwag.realtime.channels import user_channel

log = logging.getLogger("chinwag.accounts")

INVALID_CREDENTIALS = "Wrong login or password"


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: Session
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Caller:
    """Who is making a request: the user and the session their access token names."""

    user: User
    session_id: str


async def find_user_by_login(db: AsyncSession, login: str) -> User | None:
    column = User.email if "@" in login else User.username
    return await db.scalar(select(User).where(func.lower(column) == login.lower()))


def _throttle_key(login: str, user: User | None) -> str:
    # Per account when it exists (email and username share one budget); per typed login
    # otherwise, so an unknown account is throttled exactly like a known one.
    return secret_hash(f"user:{user.id}" if user else f"login:{login.lower()}")


async def _check_throttle(db: AsyncSession, ctx: AppContext, key: str) -> None:
    window = timedelta(seconds=ctx.settings.login_window_seconds)
    since = utcnow() - window
    count, oldest = (
        await db.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(
                LoginFailure.login_key == key, LoginFailure.failed_at > since
            )
        )
    ).one()
    if count >= ctx.settings.login_max_failures:
        retry_after = max(1, int((oldest + window - utcnow()).total_seconds()) + 1)
        raise TooManyRequests(
            "Too many failed sign-in attempts; try again later",
            code="too_many_attempts",
            headers={"Retry-After": str(retry_after)},
        )


async def _record_failure(db: AsyncSession, ctx: AppContext, key: str) -> None:
    since = utcnow() - timedelta(seconds=ctx.settings.login_window_seconds)
    await db.execute(
        delete(LoginFailure).where(LoginFailure.login_key == key, LoginFailure.failed_at <= since)
    )
    db.add(LoginFailure(login_key=key))
    await db.commit()


async def login(
    db: AsyncSession, ctx: AppContext, login_name: str, password: str, user_agent: str
) -> SignedIn:
    """Check the password (throttled per account) and open a new session."""
    user = await find_user_by_login(db, login_name)
    key = _throttle_key(login_name, user)
    await _check_throttle(db, ctx, key)
    await db.commit()  # don't hold the database (SQLite's one writer) through argon2
    ok = await ctx.hasher.verify(password, user.password_hash if user else None)
    if not ok or not user.is_active:
        await _record_failure(db, ctx, key)
        log.info("login failed", extra={"event": "login_failed"})
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    await db.execute(delete(LoginFailure).where(LoginFailure.login_key == key))
    return await open_session(db, ctx, user, user_agent)


async def open_session(db: AsyncSession, ctx: AppContext, user: User, user_agent: str) -> SignedIn:
    session = Session(
        id=secrets.token_hex(16),
        user_id=user.id,
        user_agent=user_agent[:255],
        expires_at=utcnow() + timedelta(days=ctx.settings.refresh_token_days),
    )
    refresh = _rotate(session)
    db.add(session)
    await db.commit()
    log.info("user %s signed in", user.id, extra={"event": "login", "user_id": user.id})
    return _signed_in(ctx, user, session, refresh)


def _rotate(session: Session) -> str:
    """Give the session a new refresh token; the token carries the session id before a dot."""
    secret = new_secret()
    session.refresh_token_hash = secret_hash(secret)
    session.last_used_at = utcnow()
    return f"{session.id}.{secret}"


def _signed_in(ctx: AppContext, user: User, session: Session, refresh: str) -> SignedIn:
    minutes = ctx.settings.access_token_minutes
    access = create_access_token(ctx.settings.signing_key, user.id, session.id, minutes)
    return SignedIn(user, session, access, refresh, minutes * 60)


async def refresh(db: AsyncSession, ctx: AppContext, refresh_token: str) -> SignedIn:
    """Trade a refresh token for a new pair. A token already rotated away revokes its session:
    someone else has it."""
    session_id, _, secret = refresh_token.partition(".")
    session = await db.get(Session, session_id) if session_id and secret else None
    if session is None or session.revoked_at or session.expires_at <= utcnow():
        raise Unauthorized("Refresh token is invalid or expired", code="invalid_token")
    if not secrets.compare_digest(session.refresh_token_hash, secret_hash(secret)):
        await revoke_sessions(db, ctx, session.user_id, [session.id])
        log.warning("refresh token reuse; session revoked", extra={"event": "token_reuse"})
        raise Unauthorized("Refresh token was already used", code="invalid_token")
    user = await db.get(User, session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Refresh token is invalid or expired", code="invalid_token")
    new_refresh = _rotate(session)
    await db.commit()
    return _signed_in(ctx, user, session, new_refresh)


async def authenticate(db: AsyncSession, ctx: AppContext, access_token: str) -> Caller:
    """The caller named by a valid access token whose session is still open."""
    claims = decode_access_token(ctx.settings.signing_key, access_token)
    if claims is None:
        raise Unauthorized("Access token is invalid or expired", code="invalid_token")
    row = (
        await db.execute(
            select(User, Session.revoked_at, Session.expires_at)
            .join(Session, Session.user_id == User.id)
            .where(Session.id == claims.session_id, User.id == claims.user_id)
        )
    ).one_or_none()
    if row is None or row.revoked_at or row.expires_at <= utcnow() or not row.User.is_active:
        raise Unauthorized("Session has ended; sign in again", code="invalid_token")
    return Caller(row.User, claims.session_id)


async def revoke_sessions(
    db: AsyncSession,
    ctx: AppContext,
    user_id: int,
    session_ids: list[str] | None = None,
    *,
    keep: str | None = None,
) -> list[str]:
    """Revoke some (or all but `keep`) open sessions of a user, then close their sockets."""
    query = select(Session.id).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if session_ids is not None:
        query = query.where(Session.id.in_(session_ids))
    if keep is not None:
        query = query.where(Session.id != keep)
    ids = list(await db.scalars(query))
    if ids:
        await db.execute(update(Session).where(Session.id.in_(ids)).values(revoked_at=utcnow()))
    await db.commit()
    if ids:
        event = {"type": "session.revoked", "user_id": user_id, "session_ids": ids}
        await ctx.broker.publish(user_channel(user_id), event)
    return ids


async def list_sessions(db: AsyncSession, user_id: int) -> list[Session]:
    query = (
        select(Session)
        .where(Session.user_id == user_id, Session.revoked_at.is_(None))
        .where(Session.expires_at > utcnow())
        .order_by(Session.last_used_at.desc())
    )
    return list(await db.scalars(query))


async def revoke_own_session(db: AsyncSession, ctx: AppContext, user_id: int, session_id: str):
    """Sign one of your devices out."""
    if not await revoke_sessions(db, ctx, user_id, [session_id]):
        raise NotFound("No such session")

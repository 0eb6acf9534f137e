"""The SQL of accounts: users by login, id or name, login failures, sessions and mailed
tokens (password resets, email verifications). Sync functions of a unit's `db`; the rules
(throttling, token rotation, who may sign in) are in accounts.auth, accounts.service,
accounts.reset and accounts.verification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import make_transient_to_detached

from chinwag.accounts.models import EmailVerification, LoginFailure, PasswordReset, Session, User
from chinwag.db.base import utcnow
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.validation import like_pattern

U = User.__table__
S = Session.__table__
_SESSION_USER = Prepared(
    select(U, S.c.revoked_at, S.c.expires_at)
    .join(S, S.c.user_id == U.c.id)
    .where(S.c.id == bindparam("session_id"), U.c.id == bindparam("user_id"))
)
_USER_KEYS = [User.__mapper__.get_property_by_column(column).key for column in U.columns]


# Users


def find_user_by_login(db: Tx, login: str) -> User | None:
    """The account whose email (when `login` has an @) or username is `login`, any case."""
    column = User.email if "@" in login else User.username
    return db.scalar(select(User).where(func.lower(column) == login.lower()))


def id_by_email(db: Tx, email: str) -> int | None:
    """The account with this email, any case."""
    return db.scalar(select(User.id).where(func.lower(User.email) == email.lower()))


def id_by_username(db: Tx, username: str) -> int | None:
    """The account with this username, any case."""
    return db.scalar(select(User.id).where(func.lower(User.username) == username.lower()))


def active_user_by_email(db: Tx, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.lower(), User.is_active))


def set_password_hash(db: Tx, user_id: int, password_hash: str) -> None:
    db.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


def search_users(db: Tx, query: str, limit: int) -> list[User]:
    """People whose username or display name contains `query`, case-insensitive."""
    stmt = select(User).where(User.is_active.is_(True))
    if query.strip():
        pattern = like_pattern(query.strip().lower())
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    return list(db.scalars(stmt.order_by(func.lower(User.username)).limit(limit)))


def users_by_ids(db: Tx, user_ids: set[int]) -> list[User]:
    """The active users among `user_ids`, by id."""
    if not user_ids:
        return []
    stmt = select(User).where(User.id.in_(user_ids), User.is_active.is_(True))
    return list(db.scalars(stmt.order_by(User.id)))


# Login failures


def lock_login(db: Tx, key: str) -> None:
    """Hold a lock on one throttle key until commit, so that its attempts are counted one
    after the other, for unknown accounts too (a transaction-scoped advisory lock on
    PostgreSQL; SQLite's one writer already runs them in turn)."""
    if db.dialect == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def recent_failures(db: Tx, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures `key` had after `since`, and when the latest of them was."""
    count, latest = db.execute(
        select(func.count(), func.max(LoginFailure.failed_at)).where(
            LoginFailure.login_key == key, LoginFailure.failed_at > since
        )
    ).one()
    return count, latest


def prune_failures(db: Tx, key: str, up_to: datetime) -> None:
    """Forget the failures of `key` at or before `up_to`."""
    db.execute(
        delete(LoginFailure).where(LoginFailure.login_key == key, LoginFailure.failed_at <= up_to)
    )


def clear_failures(db: Tx, key: str) -> None:
    db.execute(delete(LoginFailure).where(LoginFailure.login_key == key))


# Sessions


def session_user(db: Tx, user_id: int, session_id: str):
    """(the user, the session's revoked_at, its expires_at) if `session_id` is one of the
    user's sessions, else None. Prepared (it runs on every request); the User is built
    detached, as if loaded by a Session that has closed."""
    row = _SESSION_USER.one(db, session_id=session_id, user_id=user_id)
    if row is None:
        return None
    *columns, revoked_at, expires_at = row
    user = User(**dict(zip(_USER_KEYS, columns, strict=True)))
    make_transient_to_detached(user)
    return user, revoked_at, expires_at


def open_session_ids(
    db: Tx, user_id: int, session_ids: list[str] | None, keep: str | None
) -> list[str]:
    """The user's sessions not yet revoked (among `session_ids` if given, but `keep`)."""
    query = select(Session.id).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if session_ids is not None:
        query = query.where(Session.id.in_(session_ids))
    if keep is not None:
        query = query.where(Session.id != keep)
    return list(db.scalars(query))


def mark_revoked(db: Tx, session_ids: list[str]) -> None:
    db.execute(update(Session).where(Session.id.in_(session_ids)).values(revoked_at=utcnow()))


def list_sessions(db: Tx, user_id: int) -> list[Session]:
    """The user's open sessions, most recently used first."""
    query = (
        select(Session)
        .where(Session.user_id == user_id, Session.revoked_at.is_(None))
        .where(Session.expires_at > utcnow())
        .order_by(Session.last_used_at.desc())
    )
    return list(db.scalars(query))


# Mailed tokens: password resets and email verifications (the same columns: token_hash,
# user_id, created_at, expires_at, used_at); `model` says which.

MailedToken = type[PasswordReset] | type[EmailVerification]


def tokens_since(db: Tx, model: MailedToken, user_id: int, since: datetime) -> int:
    """How many tokens the user was sent after `since` (what mails are limited by)."""
    return db.scalar(
        select(func.count())
        .select_from(model)
        .where(model.user_id == user_id, model.created_at > since)
    )


def retire_tokens(db: Tx, model: MailedToken, user_id: int, now: datetime) -> None:
    """Make the user's unused tokens unusable (a newer link replaces them)."""
    db.execute(
        update(model).where(model.user_id == user_id, model.used_at.is_(None)).values(used_at=now)
    )


def token_usable(db: Tx, model: MailedToken, token_hash: str, now: datetime) -> bool:
    """Whether the token is unused and unexpired (claim_token decides; this only saves the
    work that would follow for a token that can't work)."""
    found = db.scalar(
        select(model.user_id)
        .where(model.token_hash == token_hash)
        .where(model.used_at.is_(None), model.expires_at > now)
    )
    return found is not None


def claim_token(db: Tx, model: MailedToken, token_hash: str, now: datetime, *also):
    """Mark the token used if it is unused and unexpired; then its user's id (and the
    columns `also` names, as a row), else None. A conditional UPDATE: two racing
    confirmations use it once."""
    claimed = db.execute(
        update(model)
        .where(model.token_hash == token_hash)
        .where(model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .returning(model.user_id, *also)
    )
    return claimed.one_or_none() if also else claimed.scalar_one_or_none()


def set_email(db: Tx, user_id: int, email: str, verified_at: datetime | None) -> None:
    db.execute(
        update(User).where(User.id == user_id).values(email=email, email_verified_at=verified_at)
    )


def email_verified_at(db: Tx, user_id: int) -> datetime | None:
    """When the user's current address was verified (None: not yet)."""
    return db.scalar(select(User.email_verified_at).where(User.id == user_id))

"""The SQL of single sign-on: sign-ins under way (claimed once) and linked identities.
Sync functions of a unit's `db`; the rules are in sso.service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from chinwag.db.units import Tx
from chinwag.sso.models import SsoIdentity, SsoSignIn

S = SsoSignIn.__table__


def add_sign_in(db: Tx, **values) -> None:
    db.add(SsoSignIn(**values))


def prune_sign_ins(db: Tx, now: datetime) -> None:
    """Forget sign-ins past their expiry (used or not): they can never be claimed."""
    db.execute(delete(SsoSignIn).where(SsoSignIn.expires_at <= now))


def claim_sign_in(db: Tx, state_hash: str, browser_hash: str, now: datetime):
    """(nonce, code_verifier, invitation_hash) of this state's sign-in, now marked used, if
    it was unused, unexpired and started by this browser; else None. A conditional UPDATE:
    of two concurrent claims one wins."""
    return db.execute(
        update(S)
        .where(
            S.c.state_hash == state_hash,
            S.c.browser_hash == browser_hash,
            S.c.used_at.is_(None),
            S.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(S.c.nonce, S.c.code_verifier, S.c.invitation_hash)
    ).one_or_none()


def identity(db: Tx, issuer: str, subject: str) -> SsoIdentity | None:
    return db.scalar(
        select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject)
    )


def link(db: Tx, issuer: str, subject: str, user_id: int) -> bool:
    """Link the provider's account to `user_id`; False when a concurrent first sign-in of
    the same provider account linked it first (then nothing is added)."""
    try:
        with db.begin_nested():
            db.add(SsoIdentity(issuer=issuer, subject=subject, user_id=user_id))
            db.flush()
    except IntegrityError:
        return False
    return True

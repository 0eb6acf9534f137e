"""The SQL of two-factor sign-in. Sync functions of a unit's `db`; the rules are in
twofactor.service (and twofactor.check for sign-in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.twofactor.models import RecoveryCode, TwoFactor
from chinwag.workspace.models import Workspace

TF, RC, W = TwoFactor.__table__, RecoveryCode.__table__, Workspace.__table__


def authenticator(db: Tx, user_id: int):
    """(secret (sealed), enabled_at, last_step) of the account's authenticator, or None."""
    return db.execute(
        select(TF.c.secret, TF.c.enabled_at, TF.c.last_step).where(TF.c.user_id == user_id)
    ).one_or_none()


def is_enabled(db: Tx, user_id: int) -> bool:
    found = db.scalar(select(TF.c.enabled_at).where(TF.c.user_id == user_id))
    return found is not None


def required(db: Tx) -> bool:
    """Whether the workspace requires two-factor sign-in (no settings row yet: no)."""
    return bool(db.scalar(select(W.c.require_two_factor).where(W.c.id == 1)))


def start(db: Tx, user_id: int, sealed: str) -> bool:
    """A new, not yet enabled authenticator (replacing an unconfirmed one). False when one is
    in force already."""
    if _restart(db, user_id, sealed):
        return True
    try:
        with db.begin_nested():
            db.execute(insert(TF).values(user_id=user_id, secret=sealed, last_step=0))
        return True
    except IntegrityError:  # a setup racing this one inserted first: take its row over
        return _restart(db, user_id, sealed)


def _restart(db: Tx, user_id: int, sealed: str) -> bool:
    result = db.execute(
        update(TF)
        .where(TF.c.user_id == user_id, TF.c.enabled_at.is_(None))
        .values(secret=sealed, last_step=0, created_at=utcnow())
    )
    return bool(result.rowcount)


def enable(db: Tx, user_id: int, step: int, now: datetime) -> bool:
    """Put the pending authenticator in force; False when there is none (or it already is)."""
    result = db.execute(
        update(TF)
        .where(TF.c.user_id == user_id, TF.c.enabled_at.is_(None))
        .values(enabled_at=now, last_step=step)
    )
    return bool(result.rowcount)


def accept_step(db: Tx, user_id: int, step: int) -> bool:
    """Spend the code of `step`: a conditional UPDATE, so two requests racing with one code
    can't both be accepted. False when that step (or a later one) was accepted already."""
    result = db.execute(
        update(TF)
        .where(TF.c.user_id == user_id, TF.c.enabled_at.is_not(None), TF.c.last_step < step)
        .values(last_step=step)
    )
    return bool(result.rowcount)


def remove(db: Tx, user_id: int) -> bool:
    """Forget the account's authenticator and recovery codes; False when it had none."""
    db.execute(delete(RC).where(RC.c.user_id == user_id))
    return bool(db.execute(delete(TF).where(TF.c.user_id == user_id)).rowcount)


def replace_recovery_codes(db: Tx, user_id: int, hashes: list[str]) -> None:
    db.execute(delete(RC).where(RC.c.user_id == user_id))
    db.execute(insert(RC), [{"user_id": user_id, "code_hash": h} for h in hashes])


def use_recovery_code(db: Tx, user_id: int, code_hash: str, now: datetime) -> bool:
    """Spend a recovery code (conditional UPDATE: once only, even racing); False when it isn't
    one of the account's unused codes."""
    result = db.execute(
        update(RC)
        .where(RC.c.user_id == user_id, RC.c.code_hash == code_hash, RC.c.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount)


def recovery_codes_left(db: Tx, user_id: int) -> int:
    return db.scalar(select(func.count()).where(RC.c.user_id == user_id, RC.c.used_at.is_(None)))

"""Checking a second factor inside a unit: what signing in (accounts.auth) and the account's
own two-factor changes (twofactor.service) share. Sync functions of a unit's `db`."""

from __future__ import annotations

from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import Forbidden
from chinwag.twofactor import store
from chinwag.twofactor.codes import is_totp_form, matching_step, normalised, recovery_hash, unseal

SETUP_REQUIRED = "This workspace requires two-factor sign-in: set it up in your account first"


class SetupRequired(Forbidden):
    """The workspace requires two-factor sign-in and this account hasn't set it up: only the
    setup (and reading /api/users/me, signing out) is open to it."""

    code = "two_factor_setup_required"

    def __init__(self) -> None:
        super().__init__(SETUP_REQUIRED)


def is_enabled(db: Tx, user_id: int) -> bool:
    return store.is_enabled(db, user_id)


def setup_required(db: Tx, user_id: int) -> bool:
    """Whether a new access token of this account should be limited to the setup."""
    return store.required(db) and not store.is_enabled(db, user_id)


def spend_code(db: Tx, key: str, user_id: int, code: str) -> bool:
    """Accept `code` once: a TOTP code of a time step later than the last one accepted, or
    one of the account's unused recovery codes. False otherwise (wrong, replayed, forged, or
    no authenticator in force)."""
    found = store.authenticator(db, user_id)
    if found is None or found.enabled_at is None:
        return False
    typed = normalised(code)
    if is_totp_form(typed):
        secret = unseal(key, found.secret)
        step = matching_step(secret, typed, found.last_step) if secret else None
        return step is not None and store.accept_step(db, user_id, step)
    return store.use_recovery_code(db, user_id, recovery_hash(typed), utcnow())

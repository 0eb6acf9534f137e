"""Two-factor sign-in (TOTP) of an account: setting it up, recovery codes, turning it off,
and a site administrator's reset.

A setup makes a secret that is not in force until a code from it is confirmed; confirming
enables it and answers ten recovery codes, shown once (only their hashes are kept). Every code
typed here is throttled as sign-ins are (accounts.auth.claim_code_attempt), so a stolen
session guesses codes no faster than a sign-in could. Signing in with a code is in
accounts.auth; the checks both share are in twofactor.check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from chinwag.accounts import auth
from chinwag.accounts.models import User
from chinwag.admin import store as audit
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, NotFound
from chinwag.twofactor import check, store
from chinwag.twofactor.codes import (
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    normalised,
    provisioning_uri,
    qr_svg_data_uri,
    recovery_hash,
    seal,
    unseal,
)
from chinwag.workspace import service as workspace

log = logging.getLogger("chinwag.twofactor")
WRONG_CODE = "Wrong or already used authentication code"


@dataclass(frozen=True)
class Status:
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool


@dataclass(frozen=True)
class Setup:
    secret: str
    otpauth_uri: str
    qr_svg: str


def _wrong_code() -> BadRequest:
    return BadRequest(WRONG_CODE, code="invalid_two_factor_code")


def _status(db: Tx, user_id: int) -> Status:
    found = store.authenticator(db, user_id)
    enabled_at = found.enabled_at if found else None
    left = store.recovery_codes_left(db, user_id) if enabled_at else 0
    return Status(enabled_at is not None, enabled_at, left, store.required(db))


async def status(ctx: AppContext, user_id: int) -> Status:
    return await ctx.db.read(_status, user_id)


def _start(db: Tx, user_id: int, sealed: str) -> None:
    if store.is_enabled(db, user_id) or not store.start(db, user_id, sealed):
        raise Conflict("Two-factor sign-in is on already", code="two_factor_enabled")


async def begin_setup(ctx: AppContext, user: User) -> Setup:
    """A new secret for the account's authenticator app (the QR code of its otpauth URI,
    issued by the workspace's name); not in force until confirmed with a code from it."""
    secret = new_totp_secret()
    await ctx.db.write(_start, user.id, seal(ctx.settings.signing_key, secret))
    uri = provisioning_uri(secret, user.username, (await workspace.current(ctx)).name)
    return Setup(secret, uri, qr_svg_data_uri(uri))


def _new_codes(db: Tx, user_id: int) -> list[str]:
    codes = new_recovery_codes()
    store.replace_recovery_codes(db, user_id, [recovery_hash(code) for code in codes])
    return codes


def _confirm(db: Tx, key: str, throttle: str, user_id: int, code: str) -> list[str]:
    found = store.authenticator(db, user_id)
    if found is None or found.enabled_at is not None:
        raise Conflict("Start the setup first", code="two_factor_not_pending")
    secret = unseal(key, found.secret)
    step = matching_step(secret, normalised(code), 0) if secret else None
    if step is None or not store.enable(db, user_id, step, utcnow()):
        raise _wrong_code()
    auth.attempt_succeeded(db, throttle)
    return _new_codes(db, user_id)


async def confirm_setup(ctx: AppContext, user: User, code: str) -> list[str]:
    """Enable the pending secret with a code from it; answers the ten recovery codes (the
    only time they are shown). The code's time step counts as used."""
    throttle = await ctx.db.write(auth.claim_code_attempt, ctx, user.id)
    codes = await ctx.db.write(_confirm, ctx.settings.signing_key, throttle, user.id, code)
    log.info("user %s turned two-factor sign-in on", user.id, extra={"event": "two_factor_on"})
    return codes


def _spend_or_refuse(db: Tx, key: str, throttle: str, user_id: int, code: str) -> None:
    if not store.is_enabled(db, user_id):
        raise Conflict("Two-factor sign-in is off", code="two_factor_not_enabled")
    if not check.spend_code(db, key, user_id, code):
        raise _wrong_code()
    auth.attempt_succeeded(db, throttle)


def _regenerate(db: Tx, key: str, throttle: str, user_id: int, code: str) -> list[str]:
    _spend_or_refuse(db, key, throttle, user_id, code)
    return _new_codes(db, user_id)


async def regenerate_recovery_codes(ctx: AppContext, user: User, code: str) -> list[str]:
    """Ten new recovery codes in place of all the old ones; needs a code (TOTP or recovery)."""
    throttle = await ctx.db.write(auth.claim_code_attempt, ctx, user.id)
    return await ctx.db.write(_regenerate, ctx.settings.signing_key, throttle, user.id, code)


def _disable(db: Tx, key: str, throttle: str, user_id: int, code: str) -> None:
    _spend_or_refuse(db, key, throttle, user_id, code)
    store.remove(db, user_id)


async def disable(ctx: AppContext, user: User, password: str, code: str) -> None:
    """Turn two-factor sign-in off: needs the password and a code (TOTP or recovery)."""
    throttle = await ctx.db.write(auth.claim_code_attempt, ctx, user.id)
    # argon2 runs between units, as at sign-in
    if not await ctx.hasher.verify(password, user.password_hash):
        raise BadRequest("Current password is wrong", code="wrong_password")
    await ctx.db.write(_disable, ctx.settings.signing_key, throttle, user.id, code)
    log.info("user %s turned two-factor sign-in off", user.id, extra={"event": "two_factor_off"})


def _reset(db: Tx, actor_id: int | None, user_id: int) -> None:
    if not store.remove(db, user_id):
        raise NotFound("This account has no two-factor sign-in", code="two_factor_not_enabled")
    audit.record(db, actor_id, "user.two_factor_reset", user_id, {})


async def reset(ctx: AppContext, actor_id: int | None, user_id: int) -> None:
    """A site administrator's recovery for a lost authenticator: the account signs in with
    its password alone again (and sets up anew when the workspace requires it). Audited."""
    await ctx.db.write(_reset, actor_id, user_id)

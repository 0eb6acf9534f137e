"""Password reset by email: a random single-use token, stored hashed, valid for an hour."""

from __future__ import annotations

import logging
from datetime import timedelta

from chinwag.accounts import auth, store
from chinwag.accounts.models import PasswordReset, User
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest
from chinwag.events import PendingEvents, write_and_publish
from chinwag.mail import compose

log = logging.getLogger("chinwag.accounts")

NO_ACCOUNT = 0  # the user id an unknown address's reset request works on (none has it)

RESET_BODY = """Hello {name},

Someone (hopefully you) asked to reset the password of your chinwag account {username}.
Open this link within {minutes} minutes to choose a new one:

{link}

If it was not you, ignore this mail: your password stays as it is.
"""

# Sign-up with an address that has an account: its owner is told, the sign-up page isn't.
TAKEN_BODY = """Hello {name},

Someone (hopefully you) tried to sign up to chinwag with this address, which already has an
account: {username}. Sign in with it, or open this link within {minutes} minutes to choose a
new password:

{link}

If it was not you, ignore this mail: your account stays as it is.
"""
MAILS = {
    "reset": ("Reset your chinwag password", RESET_BODY),
    "taken": ("You already have a chinwag account", TAKEN_BODY),
}


def _store_reset(db: Tx, email: str, minutes: int, per_hour: int) -> tuple[User, str] | None:
    """Write unit: a new reset token for the active account of `email`, if there is one and
    it was sent fewer than `per_hour` in the last hour; earlier tokens stop working. An
    unknown address runs the same statements (for no account), so that the time taken
    doesn't tell which addresses have one."""
    user = store.active_user_by_email(db, email.strip())
    user_id = user.id if user else NO_ACCOUNT
    now = utcnow()
    store.lock_login(db, f"reset:{user_id}")  # PostgreSQL: racing requests counted in turn
    if store.tokens_since(db, PasswordReset, user_id, now - timedelta(hours=1)) >= per_hour:
        log.info("reset mail limit reached for user %s", user_id, extra={"event": "reset_limit"})
        return None
    store.retire_tokens(db, PasswordReset, user_id, now)
    token = new_secret()
    token_hash = secret_hash(token)
    if user is None:
        return None
    db.add(
        PasswordReset(
            token_hash=token_hash,
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    return user, token


async def request_reset(ctx: AppContext, email: str, mail: str = "reset") -> None:
    """Mail a reset link if the address belongs to an account; say nothing either way.
    `mail` is which words go with it (MAILS); both kinds share the hourly limit."""
    minutes = ctx.settings.password_reset_minutes
    per_hour = ctx.settings.password_reset_mails_per_hour
    stored = await ctx.db.write(_store_reset, email, minutes, per_hour)
    if stored is None:
        return
    user, token = stored
    link = f"{ctx.settings.public_url}/#/reset?token={token}"
    subject, template = MAILS[mail]
    body = template.format(
        name=user.display_name, username=user.username, minutes=minutes, link=link
    )
    # Mailed only once the token is committed: a link that works.
    ctx.mail.submit(compose(ctx.settings.mail_from, user.email, subject, body))
    log.info("password reset requested for user %s", user.id, extra={"event": "reset_request"})


def _use_reset(db: Tx, events: PendingEvents, token_hash: str, new_hash: str) -> int:
    """Write unit: claim the token, set the password, revoke every session; the user's id."""
    now = utcnow()
    # Claiming the token with a conditional UPDATE makes two racing confirmations use it once.
    user_id = store.claim_token(db, PasswordReset, token_hash, now)
    user = db.get(User, user_id) if user_id else None
    if user is None:
        # Raising undoes the claim with the rest of the unit.
        raise BadRequest("This reset link is invalid, used or expired", code="invalid_token")
    user.password_hash = new_hash
    auth.revoke_sessions(db, events, user.id)
    return user.id


async def confirm_reset(ctx: AppContext, token: str, new_password: str) -> None:
    """Set the new password and sign out every device. The token works once."""
    token_hash = secret_hash(token)
    # The cheap check first: a bad token costs no argon2 (the unit decides, racing included).
    if not await ctx.db.read(store.token_usable, PasswordReset, token_hash, utcnow()):
        raise BadRequest("This reset link is invalid, used or expired", code="invalid_token")
    new_hash = await ctx.hasher.hash(new_password)  # before the unit: argon2 is slow
    user_id = await write_and_publish(ctx, _use_reset, token_hash, new_hash)
    log.info("user %s reset password", user_id, extra={"event": "password_reset"})

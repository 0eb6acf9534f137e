"""Password reset by email: a random single-use token, stored hashed, valid for an hour."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts import auth
from chinwag.accounts.models import PasswordReset, User
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.errors import BadRequest
from chinwag.mail import compose

log = logging.getLogger("chinwag.accounts")

RESET_BODY = """Hello {name},

Someone (hopefully you) asked to reset the password of your chinwag account {username}.
Open this link within {minutes} minutes to choose a new one:

{link}

If it was not you, ignore this mail: your password stays as it is.
"""


async def request_reset(db: AsyncSession, ctx: AppContext, email: str) -> None:
    """Mail a reset link if the address belongs to an account; say nothing either way."""
    user = await db.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.is_active)
    )
    if user is None:
        return
    token = new_secret()
    minutes = ctx.settings.password_reset_minutes
    db.add(
        PasswordReset(
            token_hash=secret_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    await db.commit()
    link = f"{ctx.settings.public_url}/#/reset?token={token}"
    body = RESET_BODY.format(
        name=user.display_name, username=user.username, minutes=minutes, link=link
    )
    ctx.mail.submit(
        compose(ctx.settings.mail_from, user.email, "Reset your chinwag password", body)
    )
    log.info("password reset requested for user %s", user.id, extra={"event": "reset_request"})


async def confirm_reset(db: AsyncSession, ctx: AppContext, token: str, new_password: str) -> None:
    """Set the new password and sign out every device. The token works once."""
    new_hash = await ctx.hasher.hash(new_password)  # before the transaction opens
    now = utcnow()
    # Claiming the token with a conditional UPDATE makes two racing confirmations use it once.
    claimed = await db.execute(
        update(PasswordReset)
        .where(PasswordReset.token_hash == secret_hash(token))
        .where(PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(used_at=now)
        .returning(PasswordReset.user_id)
    )
    user_id = claimed.scalar_one_or_none()
    user = await db.get(User, user_id) if user_id else None
    if user is None:
        await db.rollback()
        raise BadRequest("This reset link is invalid, used or expired", code="invalid_token")
    user.password_hash = new_hash
    await db.commit()
    await auth.revoke_sessions(db, ctx, user.id)
    log.info("user %s reset password", user.id, extra={"event": "password_reset"})

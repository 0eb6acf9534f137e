"""Email verification: a mailed single-use link (a random token, stored hashed, valid for
CHINWAG_EMAIL_VERIFICATION_HOURS) proves the account owns its address. While
CHINWAG_EMAIL_VERIFICATION=required, an account whose address is not verified may sign in,
read and change its address, but not post (403 `email_unverified`).

Tokens are made and spent like password resets' (accounts.store's mailed-token SQL); a newer
link, or a change of address, makes the earlier ones stop working.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from chinwag.accounts import store
from chinwag.accounts.models import EmailVerification, User
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.accounts.shapes import me_updated
from chinwag.config import Settings
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Forbidden, TooManyRequests
from chinwag.events import PendingEvents, write_and_publish
from chinwag.mail import compose

log = logging.getLogger("chinwag.accounts")

INVALID_LINK = "This verification link is invalid, used or expired"

VERIFY_SUBJECT = "Verify your email address for chinwag"
VERIFY_BODY = """Hello {name},

Open this link within {hours} hours to confirm that {email} is the address of your chinwag
account {username}:

{link}

Until then you can read, but not send messages. If you did not ask for this, ignore this mail.
"""

CHANGED_SUBJECT = "The email address of your chinwag account changed"
CHANGED_BODY = """Hello {name},

The email address of your chinwag account {username} was changed from this address to
{email}. Mail about the account (password resets included) goes there from now on.

If it was not you, reset your password and ask a site administrator for help.
"""


class EmailUnverified(Forbidden):
    code = "email_unverified"

    def __init__(self) -> None:
        super().__init__("Verify your email address first: follow the link we mailed you")


def may_post(settings: Settings, user: User) -> bool:
    """Whether `user` may post content now. Two attribute reads: it sits on the send path."""
    return user.email_verified_at is not None or settings.email_verification != "required"


async def require_verified(ctx: AppContext, user: User) -> None:
    """Refuse (EmailUnverified) a post by an account whose address isn't verified while
    verification is required. Before refusing, the stored state is read once more and kept
    on `user`: a socket's user was read when it opened, and a link followed since then (on any
    process) counts at once, even if its event hasn't reached this socket yet."""
    if may_post(ctx.settings, user):
        return
    verified_at = await ctx.db.read(store.email_verified_at, user.id)
    if verified_at is None:
        raise EmailUnverified()
    user.email_verified_at = verified_at


def issue_token(db: Tx, user: User, hours: int, now: datetime) -> str:
    """Inside a unit: a new verification token for the user's current address; the earlier
    ones stop working. The token itself, to mail once the unit is committed."""
    store.retire_tokens(db, EmailVerification, user.id, now)
    token = new_secret()
    db.add(
        EmailVerification(
            token_hash=secret_hash(token),
            user_id=user.id,
            email=user.email,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def mail_link(ctx: AppContext, user: User, token: str) -> None:
    """Mail the verification link (once its token is committed: a link that works)."""
    link = f"{ctx.settings.public_url}/#/verify?token={token}"
    body = VERIFY_BODY.format(
        name=user.display_name,
        username=user.username,
        email=user.email,
        hours=ctx.settings.email_verification_hours,
        link=link,
    )
    ctx.mail.submit(compose(ctx.settings.mail_from, user.email, VERIFY_SUBJECT, body))
    log.info("verification mailed to user %s", user.id, extra={"event": "verification_mail"})


def mail_change_notice(ctx: AppContext, user: User, old_email: str) -> None:
    """Tell the address an account just left where its mail goes now."""
    body = CHANGED_BODY.format(name=user.display_name, username=user.username, email=user.email)
    ctx.mail.submit(compose(ctx.settings.mail_from, old_email, CHANGED_SUBJECT, body))


def spend_mail_turn(ctx: AppContext, user_id: int, address: str) -> None:
    """Count one mail asked for by this account from this client address (a resend or a
    change of address); TooManyRequests (429, Retry-After) past either limit."""
    wait = ctx.mail_limiter.take(user_id, address)
    if wait:
        raise TooManyRequests(
            "Too many verification mails; try again later",
            headers={"Retry-After": str(math.ceil(wait) or 1)},
        )


def _new_link_unit(db: Tx, user_id: int, hours: int) -> tuple[User, str]:
    user = db.get(User, user_id)
    if user.email_verified_at is not None:
        raise Conflict("Your email address is verified already", code="already_verified")
    return user, issue_token(db, user, hours, utcnow())


async def send_link(ctx: AppContext, user: User) -> None:
    """Mail a new verification link to the user's address (the earlier links stop working)."""
    hours = ctx.settings.email_verification_hours
    fresh, token = await ctx.db.write(_new_link_unit, user.id, hours)
    mail_link(ctx, fresh, token)


async def resend(ctx: AppContext, user: User, address: str) -> None:
    """The user asks for the link again: 409 already_verified, 429 past the limits."""
    if user.email_verified_at is not None:
        raise Conflict("Your email address is verified already", code="already_verified")
    spend_mail_turn(ctx, user.id, address)
    await send_link(ctx, user)


def _verify_unit(db: Tx, events: PendingEvents, token_hash: str, settings: Settings) -> User:
    now = utcnow()
    # A conditional UPDATE claims the token: two racing clicks use it once.
    claimed = store.claim_token(db, EmailVerification, token_hash, now, EmailVerification.email)
    user = db.get(User, claimed.user_id) if claimed else None
    if user is None or not user.is_active or user.email.lower() != claimed.email.lower():
        raise BadRequest(INVALID_LINK, code="invalid_token")  # undoes the claim too
    if user.email_verified_at is None:
        user.email_verified_at = now
        events.to_user(user.id, me_updated(settings, user))
    return user


async def verify_email(ctx: AppContext, token: str) -> User:
    """Follow a mailed link: the address it was sent to is verified (once; the account must
    still have that address). The account's sockets are told (me.updated): they may send at
    once."""
    user = await write_and_publish(ctx, _verify_unit, secret_hash(token), ctx.settings)
    log.info("user %s verified their email", user.id, extra={"event": "email_verified"})
    return user

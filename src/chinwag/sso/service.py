"""Single sign-on with OpenID Connect: start a sign-in (state, nonce, PKCE kept server-side,
bound to the browser by a cookie) and finish it (state claimed once, code exchanged, ID
token checked, email verified), then sign in the account the provider's one is linked to,
else link the account with that email, else make one (as the registration mode allows).

The session it opens is the one a password sign-in opens (accounts.auth.open_session).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from chinwag.accounts import auth
from chinwag.accounts import service as accounts
from chinwag.accounts import store as accounts_store
from chinwag.accounts.models import User
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.admin import store as audit
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Forbidden, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.sso import store
from chinwag.sso.provider import OidcProvider, ProviderError, TokenRefused
from chinwag.workspace import service as workspace

log = logging.getLogger("chinwag.sso")

SIGN_IN_MINUTES = 10  # from the redirect to the provider until its answer must be back
USERNAME_RULE = re.compile(r"[^A-Za-z0-9_.-]")
PROVIDER_TROUBLE = "The sign-in provider could not be reached or refused; try again"


class SsoRefused(BadRequest):
    """A single sign-on that must not sign anyone in; `code` says why (the client shows it)."""


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorization URL
    browser_secret: str  # for the cookie that binds the sign-in to this browser


def provider_of(ctx: AppContext) -> OidcProvider:
    if ctx.oidc is None:
        raise NotFound("Single sign-on is not set up here", code="sso_not_configured")
    return ctx.oidc


async def start(ctx: AppContext, invitation: str | None) -> Started:
    """A new sign-in: its state, nonce and PKCE verifier stored (state hashed) for
    SIGN_IN_MINUTES, and the URL to send the browser to."""
    provider = provider_of(ctx)
    try:
        authorization = await provider.authorization()
    except ProviderError as exc:
        log.warning("single sign-on: provider unusable: %s", exc, extra={"event": "sso_failed"})
        raise SsoRefused(PROVIDER_TROUBLE, code="sso_provider_error") from None
    browser = new_secret()
    values = {
        "state_hash": secret_hash(authorization.state),
        "browser_hash": secret_hash(browser),
        "nonce": authorization.nonce,
        "code_verifier": authorization.code_verifier,
        "invitation_hash": secret_hash(invitation) if invitation else None,
        "expires_at": utcnow() + timedelta(minutes=SIGN_IN_MINUTES),
    }
    await ctx.db.write(_remember, values)
    return Started(authorization.url, browser)


def _remember(db: Tx, values: dict) -> None:
    store.prune_sign_ins(db, utcnow())  # keeps the table to the sign-ins under way
    store.add_sign_in(db, **values)


def _claim(db: Tx, state: str, browser: str):
    return store.claim_sign_in(db, secret_hash(state), secret_hash(browser), utcnow())


def refuse(code: str, why: str) -> SsoRefused:
    log.info("single sign-on refused: %s", why, extra={"event": "sso_failed"})
    return SsoRefused(why, code=code)


async def finish(
    ctx: AppContext, answer: dict[str, str], browser: str | None, user_agent: str
) -> auth.SignedIn:
    """The provider's answer (the callback's query) from the browser holding `browser`:
    a session, or SsoRefused / Forbidden saying why not."""
    provider = provider_of(ctx)
    state = answer.get("state", "")
    if not (state and browser and len(state) <= 256):
        raise refuse("sso_state_invalid", "no state, or no sign-in cookie")
    claimed = await ctx.db.write(_claim, state, browser)
    if claimed is None:
        raise refuse("sso_state_invalid", "unknown, used, expired or another browser's state")
    nonce, verifier, invitation_hash = claimed
    await _check_issuer(provider, answer.get("iss"))
    if answer.get("error") or not answer.get("code"):
        error = USERNAME_RULE.sub("", answer.get("error", "no code"))[:40]
        raise refuse("sso_provider_error", f"the provider answered {error}")
    claims = await _claims(provider, answer["code"], verifier, nonce)
    admit = workspace.newcomer_admission(ctx, invitation_hash)
    signed = await write_and_publish(ctx, _sign_in, ctx, provider.issuer, claims, admit, user_agent)
    log.info(
        "user %s signed in by single sign-on",
        signed.user.id,
        extra={"event": "login", "user_id": signed.user.id},
    )
    return signed


async def _check_issuer(provider: OidcProvider, named: str | None) -> None:
    """RFC 9207: the answer's `iss` must be our provider (no mix-up with another one), and
    a provider that says it sends one must have sent it."""
    try:
        required = (await provider.metadata()).get("authorization_response_iss_parameter_supported")
    except ProviderError as exc:
        raise refuse("sso_provider_error", str(exc)) from None
    if named is None and required is True:
        raise refuse("sso_provider_error", "the answer lacks the iss its provider promises")
    if named is not None and named != provider.issuer:
        raise refuse("sso_provider_error", "the answer names another issuer")


async def _claims(provider: OidcProvider, code: str, verifier: str, nonce: str) -> dict:
    try:
        claims = await provider.claims(code, verifier, nonce)
    except TokenRefused as exc:
        if exc.claim == "nonce":
            raise refuse("sso_nonce_mismatch", "the ID token's nonce is not ours") from None
        raise refuse("sso_token_invalid", f"the ID token failed its {exc} check") from None
    except ProviderError as exc:
        raise refuse("sso_provider_error", str(exc)) from None
    # The address links and makes accounts: only one the provider checked will do.
    # (Some providers send the claim as a string.)
    if claims.get("email_verified") not in (True, "true"):
        raise refuse("sso_email_unverified", "the provider has not verified the email")
    email = claims.get("email")
    if not (isinstance(email, str) and "@" in email and len(email) <= 254):
        raise refuse("sso_email_unverified", "the provider sent no usable email")
    if not isinstance(claims.get("sub"), str) or len(claims["sub"]) > 255:
        raise refuse("sso_token_invalid", "the ID token's subject is unusable")
    return claims


def _sign_in(
    db: Tx, events: PendingEvents, ctx: AppContext, issuer: str, claims: dict, admit, agent: str
) -> auth.SignedIn:
    """Write unit: the linked account, else the one with the email (now linked), else a new
    one (linked); refused when deactivated; then a new session."""
    linked = store.identity(db, issuer, claims["sub"])
    if linked is not None:
        linked.last_used_at = utcnow()
        user = db.get(User, linked.user_id)
    else:
        user = _by_email(db, claims["email"])
        if user is None:
            user = _new_account(db, events, claims, admit)
        elif user.is_active:
            _link_existing(db, events, user, issuer)
        if user.is_active and not store.link(db, issuer, claims["sub"], user.id):
            # Two first sign-ins of one person at once: the other one's unit linked first.
            raise Conflict("Signed in twice at once; try again", code="sso_state_invalid")
    if not user.is_active:
        raise Forbidden(auth.DEACTIVATED, code="account_deactivated")
    return auth.open_session(db, ctx, user, agent)


def _by_email(db: Tx, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _link_existing(db: Tx, events: PendingEvents, user: User, issuer: str) -> None:
    """Linking an account whose address was never proven: whoever typed that address at
    sign-up (maybe not its owner, who now proved it at the provider) loses what they set:
    the password stops working and their sessions end. The owner can set a new password by
    a reset. Audited: the account changed hands, in a way."""
    unproven = user.email_verified_at is None
    if unproven:
        user.email_verified_at = utcnow()
        user.password_hash = ""
        auth.revoke_sessions(db, events, user.id)
    details = {"issuer": issuer, "password_cleared": unproven}
    audit.record(db, user.id, "user.sso_linked", user.id, details)


def _new_account(db: Tx, events: PendingEvents, claims: dict, admit) -> User:
    username = _free_username(db, claims)
    name = claims.get("name")
    display = name.strip()[:64] if isinstance(name, str) and name.strip() else username
    # No password ("" matches none): this account signs in by the provider (or, once its
    # owner sets one by a password reset, by that too).
    fields = {"password_hash": "", "email_verified_at": utcnow()}
    return accounts.add_account(db, events, claims["email"], username, display, fields, admit)


def _free_username(db: Tx, claims: dict) -> str:
    """The provider's preferred_username, else the email's local part, made to the username
    rule and unique (a number, then a random suffix, after it)."""
    base = _username_base(claims)
    candidates = [base] + [f"{base[:30]}{n}" for n in range(2, 10)]
    candidates.append(f"{base[:25]}-{secrets.token_hex(3)}")
    for candidate in candidates:
        if not accounts_store.id_by_username(db, candidate):
            return candidate
    return f"user-{secrets.token_hex(8)}"


def _username_base(claims: dict) -> str:
    for raw in (claims.get("preferred_username"), claims["email"]):
        if isinstance(raw, str):
            cleaned = USERNAME_RULE.sub("", raw.split("@")[0])[:32]
            if len(cleaned) >= 3:
                return cleaned
    return "user"

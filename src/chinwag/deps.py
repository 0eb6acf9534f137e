"""FastAPI dependencies: the app context and the caller."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from chinwag.accounts import auth
from chinwag.accounts.verification import require_verified
from chinwag.context import AppContext
from chinwag.errors import Forbidden, TooManyRequests, Unauthorized
from chinwag.limits import address_key
from chinwag.twofactor.check import SetupRequired

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_setup_caller(ctx: Ctx, token: Annotated[str | None, Depends(bearer)]) -> auth.Caller:
    """The caller, even one whose token is limited to the two-factor setup."""
    if not token:
        raise Unauthorized(
            "Sign in first: send Authorization: Bearer <access token>",
            code="not_authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return await auth.authenticate(ctx, token)
    except Unauthorized as exc:
        exc.headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')
        raise


async def get_caller(caller: Annotated[auth.Caller, Depends(get_setup_caller)]) -> auth.Caller:
    """The caller; 403 two_factor_setup_required while the workspace requires two-factor
    sign-in of an account that hasn't set it up (a claim of the token: no database read)."""
    if caller.setup_required:
        raise SetupRequired()
    return caller


Caller = Annotated[auth.Caller, Depends(get_caller)]
# The few routes open before the required two-factor setup: the setup, /me, signing out.
SetupCaller = Annotated[auth.Caller, Depends(get_setup_caller)]


async def poster(caller: Caller, ctx: Ctx) -> auth.Caller:
    """The caller, who may post content (403 email_unverified while their address awaits
    verification and it is required)."""
    await require_verified(ctx, caller.user)
    return caller


Poster = Annotated[auth.Caller, Depends(poster)]


async def site_admin(caller: Caller) -> None:
    """On a router: site administrators only (403 site_admin_only)."""
    if not caller.user.is_site_admin:
        raise Forbidden("Site administrators only", code="site_admin_only")


async def limit_address(request: Request, ctx: Ctx) -> None:
    """Spend one of the client address's tokens for the endpoints that hash or mail."""
    if ctx.auth_buckets is None:
        return
    bucket = ctx.auth_buckets.get(address_key(request.client.host if request.client else None))
    if not bucket.take():
        raise TooManyRequests(
            "Too many requests from your address; try again shortly",
            headers={"Retry-After": str(math.ceil(bucket.wait()) or 1)},
        )


# On a route: `dependencies=[AddressLimited]`.
AddressLimited = Depends(limit_address)

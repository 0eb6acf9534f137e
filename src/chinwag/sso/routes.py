"""HTTP of single sign-on: /api/auth/oidc/start sends the browser to the provider, and
/api/auth/oidc/callback takes it back. Both are browser navigations: they answer with
redirects, to the web client (signed in through the refresh cookie) or to its sign-in page
with `#/signin?sso_error=<code>`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from chinwag.accounts.routes import served_over_https, set_refresh_cookie, user_agent
from chinwag.deps import AddressLimited, Ctx
from chinwag.errors import ChinwagError, error_responses
from chinwag.sso import service
from chinwag.sso.service import SIGN_IN_MINUTES

router = APIRouter(prefix="/api/auth/oidc", tags=["auth"])

# Binds a sign-in under way to the browser that started it (a state alone could be
# replayed by whoever saw the URL). SameSite=Lax: it must come back on the provider's
# redirect, a cross-site navigation.
BROWSER_COOKIE = "chinwag_sso"
COOKIE_PATH = "/api/auth/oidc"
# What the provider's answer may say that we read; it may add others (session_state, scope).
ANSWER_FIELDS = ("state", "code", "error", "iss")
REDIRECTS = {303: {"description": "To the provider, or back to the web client"}}


def _to_sign_in(code: str) -> RedirectResponse:
    return RedirectResponse(f"/#/signin?sso_error={code}", status_code=303)


@router.get(
    "/start",
    status_code=303,
    summary="Sign in with the OpenID provider (a browser navigation)",
    description="Redirects to the provider's sign-in page; `invitation` (an invitation "
    "link's token) lets a newcomer in where sign-up is invite-only. 404 "
    "`sso_not_configured` when single sign-on isn't set up.",
    responses={**REDIRECTS, **error_responses(404, 422, 429)},
    response_class=RedirectResponse,
    dependencies=[AddressLimited],
)
async def start(
    request: Request,
    ctx: Ctx,
    invitation: Annotated[str | None, Query(min_length=10, max_length=100)] = None,
) -> RedirectResponse:
    service.provider_of(ctx)  # not set up: a 404 in the API's shape, not a redirect
    try:
        started = await service.start(ctx, invitation)
    except ChinwagError as exc:
        return _to_sign_in(exc.code)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        BROWSER_COOKIE,
        started.browser_secret,
        max_age=SIGN_IN_MINUTES * 60,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=served_over_https(request, ctx),
    )
    return response


@router.get(
    "/callback",
    status_code=303,
    summary="Where the OpenID provider sends the browser back (its redirect URI)",
    description="Signs in (a session as a password sign-in opens, its refresh token in the "
    "cookie) and redirects to the web client; or redirects to its sign-in page with "
    "`sso_error`: `sso_state_invalid`, `sso_nonce_mismatch`, `sso_token_invalid`, "
    "`sso_email_unverified`, `sso_provider_error`, `account_deactivated`, "
    "`registration_closed`, `invitation_required`, `invitation_invalid`.",
    responses={**REDIRECTS, **error_responses(404)},
    response_class=RedirectResponse,
)
async def callback(request: Request, ctx: Ctx) -> RedirectResponse:
    service.provider_of(ctx)
    answer = {k: request.query_params[k][:2048] for k in ANSWER_FIELDS if k in request.query_params}
    browser = request.cookies.get(BROWSER_COOKIE)
    try:
        signed = await service.finish(ctx, answer, browser, user_agent(request))
    except ChinwagError as exc:
        response = _to_sign_in(exc.code)
    else:
        response = RedirectResponse("/", status_code=303)
        set_refresh_cookie(response, request, ctx, signed.refresh_token)
    response.delete_cookie(BROWSER_COOKIE, path=COOKIE_PATH)
    return response

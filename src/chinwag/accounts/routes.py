"""HTTP routes of the accounts domain: /api/auth/* and /api/users/*."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from chinwag.accounts import auth, reset, service, verification
from chinwag.accounts.schemas import (
    AcceptedOut,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfilePatch,
    RefreshIn,
    RegisterIn,
    SessionOut,
    TokenOut,
    UserOut,
    VerifyEmailIn,
)
from chinwag.deps import AddressLimited, Caller, Ctx, SetupCaller
from chinwag.errors import Unauthorized, error_responses
from chinwag.limits import address_key
from chinwag.validation import SearchQuery, UserId
from chinwag.workspace import service as workspace

auth_router = APIRouter(prefix="/api/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/users", tags=["users"])

REFRESH_COOKIE = "chinwag_refresh"
CHECK_YOUR_MAIL = "Check your mail: we sent a message to this address."
# Names the device for the sign-in throttle (accounts.auth._throttle_key); a year, like Zulip's.
DEVICE_COOKIE = "chinwag_device"
DEVICE_COOKIE_DAYS = 365


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def _password_signin_on(ctx: Ctx) -> None:
    auth.ensure_password_signin(ctx.settings)


# On the routes that take a password or set one by mail: 403 with CHINWAG_PASSWORD_SIGNIN=off.
PasswordSignIn = Depends(_password_signin_on)


async def _login_out(ctx, signed: auth.SignedIn) -> LoginOut:
    return LoginOut(
        access_token=signed.access_token,
        refresh_token=signed.refresh_token,
        expires_in=signed.expires_in,
        user=await service.own_profile(ctx, signed.user),
        two_factor_setup_required=signed.setup_required,
    )


def served_over_https(request: Request, ctx) -> bool:
    # The request's own scheme (TLS served by chinwag, or X-Forwarded-Proto from a trusted
    # proxy: CHINWAG_FORWARDED_ALLOW_IPS), or the public URL's when a proxy doesn't say.
    return request.url.scheme == "https" or ctx.settings.public_url.startswith("https://")


def _set_auth_cookie(
    response: Response, request: Request, ctx, name: str, token: str, days: int
) -> None:
    # HttpOnly and scoped to /api/auth: sent to sign-in and refresh only, no script reads it.
    # Secure over https: the browser never sends it over plain http.
    response.set_cookie(
        name,
        token,
        max_age=days * 86400,
        path="/api/auth",
        httponly=True,
        samesite="strict",
        secure=served_over_https(request, ctx),
    )


def set_refresh_cookie(response: Response, request: Request, ctx, token: str) -> None:
    # The web client survives a reload with it.
    days = ctx.settings.refresh_token_days
    _set_auth_cookie(response, request, ctx, REFRESH_COOKIE, token, days)


@auth_router.post(
    "/register",
    status_code=201,
    response_model=MeOut,
    summary="Create an account",
    description="201 with the new account; 202 when the email already has an account (its "
    "owner is mailed, and the answer says no more). A taken username is 409. 403 "
    "`registration_closed`, `invitation_required` (invite-only workspace) or "
    "`invitation_invalid`; an `invitation` token's groups are joined.",
    responses={
        202: {"description": "Nothing created; the address was mailed", "model": AcceptedOut},
        **error_responses(403, 409, 422, 429, 503),
    },
    dependencies=[AddressLimited, PasswordSignIn],
)
async def register(data: RegisterIn, ctx: Ctx):
    user = await workspace.sign_up(ctx, data)
    if user is None:
        return JSONResponse({"detail": CHECK_YOUR_MAIL}, status_code=202)
    return await service.own_profile(ctx, user)


@auth_router.post(
    "/login",
    response_model=LoginOut,
    summary="Sign in by email or username",
    description="With two-factor sign-in on, a right password without `code` is 401 "
    "`two_factor_required` (no session is opened): send it again with `code`. A wrong or "
    "already used code is 401 `invalid_two_factor_code`, counted as a failed sign-in.",
    responses=error_responses(401, 403, 422, 429, 503),
    dependencies=[AddressLimited, PasswordSignIn],
)
async def login(data: LoginIn, request: Request, response: Response, ctx: Ctx):
    device = request.cookies.get(DEVICE_COOKIE)
    signed = await auth.login(
        ctx, data.login, data.password, user_agent(request), device, data.code
    )
    set_refresh_cookie(response, request, ctx, signed.refresh_token)
    device_token = signed.device_token
    _set_auth_cookie(response, request, ctx, DEVICE_COOKIE, device_token, DEVICE_COOKIE_DAYS)
    return await _login_out(ctx, signed)


@auth_router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in with the OAuth2 password form (the docs' Authorize button)",
    description="An account with two-factor sign-in adds the form field `code` (else 401 "
    "`two_factor_required`).",
    responses=error_responses(401, 403, 422, 429, 503),
    dependencies=[AddressLimited, PasswordSignIn],
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    ctx: Ctx,
    code: Annotated[str | None, Form(min_length=1, max_length=32)] = None,
) -> TokenOut:
    if len(form.username) > 254 or len(form.password) > 128:
        raise Unauthorized(auth.INVALID_CREDENTIALS, code="invalid_credentials")
    signed = await auth.login(ctx, form.username, form.password, user_agent(request), None, code)
    return TokenOut(access_token=signed.access_token)


@auth_router.post(
    "/refresh",
    response_model=LoginOut,
    summary="Trade a refresh token (body or cookie) for a new pair",
    responses=error_responses(401, 422),
)
async def refresh(request: Request, response: Response, ctx: Ctx, data: RefreshIn | None = None):
    token_value = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)
    if not token_value:
        raise Unauthorized("Send a refresh_token", code="invalid_token")
    signed = await auth.refresh(ctx, token_value)
    set_refresh_cookie(response, request, ctx, signed.refresh_token)
    return await _login_out(ctx, signed)


@auth_router.post(
    "/logout", status_code=204, summary="Sign this device out", responses=error_responses(401)
)
async def logout(caller: SetupCaller, ctx: Ctx) -> Response:
    await auth.sign_out(ctx, caller.user.id, [caller.session_id])
    response = Response(status_code=204)
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return response


@auth_router.post(
    "/password-reset",
    status_code=202,
    summary="Mail a password reset link",
    responses=error_responses(403, 422, 429),
    dependencies=[AddressLimited, PasswordSignIn],
)
async def password_reset(data: PasswordResetIn, ctx: Ctx) -> dict:
    await reset.request_reset(ctx, data.email)
    return {"detail": "If the address belongs to an account, a reset link is on its way."}


@auth_router.post(
    "/password-reset/confirm",
    status_code=204,
    summary="Set a new password with the mailed token; signs out every device",
    responses=error_responses(400, 403, 422, 429, 503),
    dependencies=[AddressLimited, PasswordSignIn],
)
async def password_reset_confirm(data: PasswordResetConfirmIn, ctx: Ctx) -> Response:
    await reset.confirm_reset(ctx, data.token, data.new_password)
    return Response(status_code=204)


@auth_router.post(
    "/verify-email",
    response_model=MeOut,
    summary="Verify my email address with the mailed token",
    description="The token of the link mailed at sign-up, on a change of address or by "
    "POST /api/users/me/verification; it works once, within "
    "CHINWAG_EMAIL_VERIFICATION_HOURS, for the address it was sent to. 400 `invalid_token` "
    "otherwise. No sign-in needed: the token is the proof. The account's sockets get "
    "`me.updated`.",
    responses=error_responses(400, 422, 429),
    dependencies=[AddressLimited],
)
async def verify_email(data: VerifyEmailIn, ctx: Ctx) -> MeOut:
    user = await verification.verify_email(ctx, data.token)
    return await service.own_profile(ctx, user)


def _address(request: Request) -> str:
    return address_key(request.client.host if request.client else None)


@users_router.post(
    "/me/verification",
    status_code=202,
    response_model=AcceptedOut,
    summary="Mail me a new verification link",
    description="The earlier links stop working. 409 `already_verified`; 429 `rate_limited` "
    "(Retry-After) past CHINWAG_EMAIL_VERIFICATION_RESENDS_PER_HOUR for the account, or ten "
    "times that for the client address.",
    responses=error_responses(401, 409, 429),
)
async def resend_verification(request: Request, caller: Caller, ctx: Ctx) -> AcceptedOut:
    await verification.resend(ctx, caller.user, _address(request))
    return AcceptedOut(detail=CHECK_YOUR_MAIL)


@users_router.get("/me", response_model=MeOut, summary="My profile", responses=error_responses(401))
async def read_me(caller: SetupCaller, ctx: Ctx) -> MeOut:
    return await service.own_profile(ctx, caller.user)


@users_router.patch(
    "/me",
    response_model=MeOut,
    summary="Edit my profile, username or email address",
    description="Only the fields sent change. A new `username` must be free regardless of "
    "case (409 `username_taken`). A new `email` needs `current_password` (422 without it, "
    "400 `wrong_password`), must be free (409 `email_taken`) and is unverified until the "
    "link mailed to it is followed; the old address gets a notice. Changes of address count "
    "against the verification mail limit (429).",
    responses=error_responses(400, 401, 409, 422, 429, 503),
)
async def edit_me(patch: ProfilePatch, request: Request, caller: Caller, ctx: Ctx) -> MeOut:
    user = await service.update_profile(ctx, caller.user, patch, _address(request))
    return await service.own_profile(ctx, user)


@users_router.post(
    "/me/password",
    status_code=204,
    summary="Change my password; signs out my other devices",
    responses=error_responses(400, 401, 422, 429, 503),
    dependencies=[AddressLimited],
)
async def change_password(data: PasswordChangeIn, caller: Caller, ctx: Ctx) -> Response:
    await service.change_password(ctx, caller, data.current_password, data.new_password)
    return Response(status_code=204)


@users_router.get(
    "/me/sessions",
    response_model=list[SessionOut],
    summary="My signed-in devices",
    responses=error_responses(401),
)
async def my_sessions(caller: Caller, ctx: Ctx) -> list[SessionOut]:
    sessions = await service.my_sessions(ctx, caller.user.id)
    return [
        SessionOut(
            id=s.id,
            user_agent=s.user_agent,
            created_at=s.created_at,
            last_used_at=s.last_used_at,
            current=s.id == caller.session_id,
        )
        for s in sessions
    ]


@users_router.delete(
    "/me/sessions/{session_id}",
    status_code=204,
    summary="Sign one of my devices out",
    responses=error_responses(401, 404),
)
async def revoke_session(
    session_id: Annotated[str, Path(max_length=64)], caller: Caller, ctx: Ctx
) -> Response:
    await auth.revoke_own_session(ctx, caller.user.id, session_id)
    return Response(status_code=204)


@users_router.get(
    "/online",
    response_model=list[UserOut],
    summary="People online now",
    responses=error_responses(401),
)
async def online_users(caller: Caller, ctx: Ctx) -> list[UserOut]:
    users = await service.online_people(ctx)
    return [await service.public_profile(ctx, u) for u in users]


@users_router.get(
    "",
    response_model=list[UserOut],
    summary="Find people by username or display name",
    responses=error_responses(401, 422),
)
async def search_users(
    caller: Caller,
    ctx: Ctx,
    q: SearchQuery = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[UserOut]:
    users = await service.find_people(ctx, q, limit)
    return [await service.public_profile(ctx, u) for u in users]


@users_router.get(
    "/{user_id}",
    response_model=UserOut,
    summary="Someone's public profile",
    responses=error_responses(401, 404, 422),
)
async def read_user(user_id: UserId, caller: Caller, ctx: Ctx) -> UserOut:
    return await service.public_profile(ctx, await service.user_by_id(ctx, user_id))

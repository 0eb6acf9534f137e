"""HTTP: the caller's own two-factor sign-in, /api/users/me/two-factor. Open to a token
limited to the setup (the workspace requires it and it isn't set up yet)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from chinwag.deps import AddressLimited, Ctx, SetupCaller
from chinwag.errors import error_responses
from chinwag.twofactor import service
from chinwag.twofactor.schemas import (
    CodeIn,
    DisableIn,
    RecoveryCodesOut,
    TwoFactorSetupOut,
    TwoFactorStatusOut,
)

router = APIRouter(prefix="/api/users/me/two-factor", tags=["users"])


@router.get(
    "",
    response_model=TwoFactorStatusOut,
    summary="My two-factor sign-in: on or off, recovery codes left, required or not",
    responses=error_responses(401),
)
async def read_status(caller: SetupCaller, ctx: Ctx) -> TwoFactorStatusOut:
    return TwoFactorStatusOut(**asdict(await service.status(ctx, caller.user.id)))


@router.post(
    "/setup",
    response_model=TwoFactorSetupOut,
    summary="Start setting up an authenticator app: its secret and QR code",
    description="Not in force until confirmed with a code (POST .../confirm); a new setup "
    "replaces an unconfirmed one. 409 `two_factor_enabled` when it is on already.",
    responses=error_responses(401, 409),
)
async def begin_setup(caller: SetupCaller, ctx: Ctx) -> TwoFactorSetupOut:
    return TwoFactorSetupOut(**asdict(await service.begin_setup(ctx, caller.user)))


@router.post(
    "/confirm",
    response_model=RecoveryCodesOut,
    summary="Turn two-factor sign-in on with a code from the app; answers the recovery codes",
    description="400 `invalid_two_factor_code`; 409 `two_factor_not_pending` without a "
    "setup. Attempts are throttled as sign-ins are (429 `too_many_attempts`). Refresh the "
    "access token afterwards: one limited to the setup becomes a full one.",
    responses=error_responses(400, 401, 409, 422, 429),
    dependencies=[AddressLimited],
)
async def confirm(data: CodeIn, caller: SetupCaller, ctx: Ctx) -> RecoveryCodesOut:
    codes = await service.confirm_setup(ctx, caller.user, data.code)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/recovery-codes",
    response_model=RecoveryCodesOut,
    summary="Ten new recovery codes in place of all the old ones (needs a code)",
    responses=error_responses(400, 401, 409, 422, 429),
    dependencies=[AddressLimited],
)
async def regenerate(data: CodeIn, caller: SetupCaller, ctx: Ctx) -> RecoveryCodesOut:
    codes = await service.regenerate_recovery_codes(ctx, caller.user, data.code)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/disable",
    status_code=204,
    summary="Turn two-factor sign-in off (needs the password and a code)",
    description="400 `wrong_password` or `invalid_two_factor_code`; 409 `two_factor_not_enabled`.",
    responses=error_responses(400, 401, 409, 422, 429, 503),
    dependencies=[AddressLimited],
)
async def disable(data: DisableIn, caller: SetupCaller, ctx: Ctx) -> Response:
    await service.disable(ctx, caller.user, data.password, data.code)
    return Response(status_code=204)

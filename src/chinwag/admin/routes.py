"""HTTP under /api/admin: accounts and the audit log, for site administrators only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chinwag.accounts.models import User
from chinwag.admin import service
from chinwag.admin.schemas import AdminUserOut, AdminUserPatch, AuditEntryOut
from chinwag.deps import Caller, Ctx, site_admin
from chinwag.errors import error_responses
from chinwag.files.shapes import avatar_url
from chinwag.validation import MAX_BIGINT, SearchQuery, UserId

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(site_admin)])
Username = Annotated[str | None, Query(max_length=32, description="Accounts after this one")]


def _out(user: User) -> AdminUserOut:
    return AdminUserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        is_active=user.is_active,
        is_site_admin=user.is_site_admin,
        created_at=user.created_at,
        last_seen_at=user.last_seen_at,
        avatar_url=avatar_url(user.avatar_file_id),
    )


@router.get(
    "/users",
    response_model=list[AdminUserOut],
    summary="Every account, deactivated ones too, by username",
    description="`q` matches part of a username, display name or email; page on with "
    "`after` set to the last username of a page.",
    responses=error_responses(401, 403, 422),
)
async def list_users(
    caller: Caller,
    ctx: Ctx,
    q: SearchQuery = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    after: Username = None,
) -> list[AdminUserOut]:
    return [_out(u) for u in await service.list_users(ctx, q, limit, after)]


@router.post(
    "/users/{user_id}/deactivate",
    response_model=AdminUserOut,
    summary="Deactivate an account",
    description="Its sessions end and its sockets close (1008); signing in answers 403 "
    "`account_deactivated`; its messages stay. 409 `cannot_deactivate_self`, "
    "`last_site_admin`.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def deactivate(user_id: UserId, caller: Caller, ctx: Ctx) -> AdminUserOut:
    return _out(await service.deactivate(ctx, caller.user.id, user_id))


@router.post(
    "/users/{user_id}/reactivate",
    response_model=AdminUserOut,
    summary="Let a deactivated account sign in again",
    responses=error_responses(401, 403, 404, 422),
)
async def reactivate(user_id: UserId, caller: Caller, ctx: Ctx) -> AdminUserOut:
    return _out(await service.reactivate(ctx, caller.user.id, user_id))


@router.patch(
    "/users/{user_id}",
    response_model=AdminUserOut,
    summary="Make or unmake a site administrator",
    description="409 `last_site_admin` when no active site administrator would be left.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def edit_user(
    user_id: UserId, data: AdminUserPatch, caller: Caller, ctx: Ctx
) -> AdminUserOut:
    return _out(await service.set_site_admin(ctx, caller.user.id, user_id, data.is_site_admin))


@router.get(
    "/audit",
    response_model=list[AuditEntryOut],
    summary="The audit log, newest first",
    description="Page back with `before` set to the last id of a page.",
    responses=error_responses(401, 403, 422),
)
async def audit(
    caller: Caller,
    ctx: Ctx,
    before: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[AuditEntryOut]:
    rows = await service.audit_page(ctx, before, limit)
    return [
        AuditEntryOut(
            id=row.id,
            action=row.action,
            actor_id=row.actor_id,
            actor_username=row.actor_username,
            target_user_id=row.target_user_id,
            target_username=row.target,
            details=row.details or {},
            created_at=row.created_at,
        )
        for row in rows
    ]

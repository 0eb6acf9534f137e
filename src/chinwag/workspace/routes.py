"""HTTP: the workspace's settings and invitations (site administrators, under /api/admin),
and what anyone may read before signing up (/api/workspace, /api/invitations/{token})."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from chinwag.deps import Caller, Ctx, site_admin
from chinwag.errors import error_responses
from chinwag.validation import MAX_INT
from chinwag.workspace import service
from chinwag.workspace.schemas import (
    InvitationIn,
    InvitationOut,
    InvitationPreviewOut,
    NewInvitationOut,
    WorkspaceOut,
    WorkspacePatch,
    WorkspaceSettingsOut,
)

admin_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(site_admin)])
public_router = APIRouter(prefix="/api", tags=["workspace"])
InvitationId = Annotated[int, Path(ge=1, le=MAX_INT, description="Invitation id")]
Token = Annotated[str, Path(min_length=10, max_length=100)]


@public_router.get(
    "/workspace",
    response_model=WorkspaceOut,
    summary="The workspace's name, who may sign up and how one signs in",
    responses=error_responses(503),
)
async def read_workspace(ctx: Ctx) -> WorkspaceOut:
    settings = await service.current(ctx)
    return WorkspaceOut(
        name=settings.name,
        registration=settings.registration,
        sso_name=ctx.settings.oidc_name if ctx.settings.sso_enabled else None,
        password_signin=ctx.settings.password_signin,
    )


@public_router.get(
    "/invitations/{token}",
    response_model=InvitationPreviewOut,
    summary="What an invitation link offers (the join page)",
    responses=error_responses(404, 422),
)
async def preview(token: Token, ctx: Ctx) -> InvitationPreviewOut:
    return InvitationPreviewOut(**await service.preview(ctx, token))


@admin_router.get(
    "/workspace",
    response_model=WorkspaceSettingsOut,
    summary="Every workspace setting",
    responses=error_responses(401, 403),
)
async def workspace_settings(caller: Caller, ctx: Ctx) -> WorkspaceSettingsOut:
    return WorkspaceSettingsOut(**asdict(await service.current(ctx)))


@admin_router.patch(
    "/workspace",
    response_model=WorkspaceSettingsOut,
    summary="Change workspace settings",
    description="Name, who may sign up, the groups every newcomer joins (404 for a group "
    "that isn't there), who may create public groups, whether two-factor sign-in is required.",
    responses=error_responses(401, 403, 404, 422),
)
async def edit_workspace(data: WorkspacePatch, caller: Caller, ctx: Ctx) -> WorkspaceSettingsOut:
    changes = data.model_dump(exclude_none=True)
    return WorkspaceSettingsOut(**asdict(await service.change(ctx, caller.user.id, changes)))


@admin_router.post(
    "/invitations",
    status_code=201,
    response_model=NewInvitationOut,
    summary="Invite people: a link to sign up by",
    description="Mailed to `email` when given (then only that address may use it). 404 for a "
    "group that isn't there.",
    responses=error_responses(401, 403, 404, 422),
)
async def invite(data: InvitationIn, caller: Caller, ctx: Ctx) -> NewInvitationOut:
    invitation_id, link, expires_at = await service.invite(
        ctx, caller.user, data.email, data.max_uses, data.expires_in_days, data.chat_ids
    )
    return NewInvitationOut(id=invitation_id, link=link, expires_at=expires_at)


@admin_router.get(
    "/invitations",
    response_model=list[InvitationOut],
    summary="Every invitation, newest first",
    responses=error_responses(401, 403),
)
async def list_invitations(caller: Caller, ctx: Ctx) -> list[InvitationOut]:
    return [
        InvitationOut(
            id=row.id,
            email=row.email,
            chat_ids=row.chat_ids or [],
            max_uses=row.max_uses,
            uses=row.uses,
            invited_by=row.inviter,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked=row.revoked_at is not None,
        )
        for row in await service.invitations(ctx)
    ]


@admin_router.delete(
    "/invitations/{invitation_id}",
    status_code=204,
    summary="Revoke an invitation",
    responses=error_responses(401, 403, 404, 422),
)
async def revoke(invitation_id: InvitationId, caller: Caller, ctx: Ctx) -> Response:
    await service.revoke(ctx, caller.user.id, invitation_id)
    return Response(status_code=204)

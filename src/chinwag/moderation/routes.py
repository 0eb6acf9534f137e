"""HTTP: reporting a message (anyone who can read it) and the review queue (site admins)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from chinwag.deps import Caller, Ctx, site_admin
from chinwag.errors import error_responses
from chinwag.moderation import service
from chinwag.moderation.schemas import (
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ResolvedOut,
    ResolveIn,
)
from chinwag.validation import MAX_INT, MessageId

router = APIRouter(prefix="/api", tags=["moderation"])
admin_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(site_admin)])
ReportId = Annotated[int, Path(ge=1, le=MAX_INT, description="Report id")]


@router.post(
    "/messages/{message_id}/report",
    status_code=201,
    response_model=ReportCreatedOut,
    summary="Report a message to the site administrators",
    description="400 `own_message`; 409 `already_reported`, `message_deleted`.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def report(
    message_id: MessageId, data: ReportIn, caller: Caller, ctx: Ctx
) -> ReportCreatedOut:
    return ReportCreatedOut(id=await service.report(ctx, caller.user, message_id, data.reason))


@admin_router.get(
    "/reports",
    response_model=list[ReportOut],
    summary="The review queue: reports newest first",
    description="`state=open` (the default) or `all`; page back with `before` = a page's last id.",
    responses=error_responses(401, 403, 422),
)
async def reports(
    caller: Caller,
    ctx: Ctx,
    state: Literal["open", "all"] = "open",
    before: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ReportOut]:
    rows = await service.queue(ctx, state == "open", before, limit)
    return [
        ReportOut(
            id=row.id,
            message_id=row.message_id,
            chat_id=row.chat_id,
            chat_name=row.chat_name,
            seq=row.seq,
            text=None if row.deleted_at else row.text,
            sender_id=row.sender_id,
            sender_username=row.sender_username,
            reporter_username=row.reporter_username,
            reason=row.reason,
            created_at=row.created_at,
            resolution=row.resolution,
            resolved_at=row.resolved_at,
        )
        for row in rows
    ]


@admin_router.post(
    "/reports/{report_id}/resolve",
    response_model=ResolvedOut,
    summary="Dismiss a report, delete its message, or deactivate its sender",
    description="Closes every open report of the same message; audited. 404 for a report "
    "that isn't open.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def resolve(report_id: ReportId, data: ResolveIn, caller: Caller, ctx: Ctx) -> ResolvedOut:
    closed = await service.resolve(ctx, caller.user.id, report_id, data.action)
    return ResolvedOut(reports_closed=closed)

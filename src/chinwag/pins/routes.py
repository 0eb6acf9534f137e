"""HTTP routes of pins (per chat) and saved messages (per person)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from chinwag.deps import Caller, Ctx
from chinwag.errors import error_responses
from chinwag.pins import saved, service
from chinwag.pins.schemas import PinOut, SavedOut
from chinwag.validation import MAX_BIGINT, ChatId, MessageId

router = APIRouter(prefix="/api", tags=["pins"])


@router.put(
    "/messages/{message_id}/pin",
    status_code=204,
    summary="Pin a message in its chat (group admins; either person in a direct chat)",
    description=f"Again: no change. At most {service.MAX_PINS} pins per chat "
    "(409 `too_many_pins`).",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def pin(message_id: MessageId, caller: Caller, ctx: Ctx) -> Response:
    await service.pin_message(ctx, caller.user, message_id)
    return Response(status_code=204)


@router.delete(
    "/messages/{message_id}/pin",
    status_code=204,
    summary="Unpin a message (whoever may pin in its chat)",
    responses=error_responses(401, 403, 404, 422),
)
async def unpin(message_id: MessageId, caller: Caller, ctx: Ctx) -> Response:
    await service.unpin_message(ctx, caller.user, message_id)
    return Response(status_code=204)


@router.get(
    "/chats/{chat_id}/pins",
    response_model=list[PinOut],
    summary="The chat's pinned messages, the latest pinned first",
    responses=error_responses(401, 403, 404, 422),
)
async def chat_pins(chat_id: ChatId, caller: Caller, ctx: Ctx):
    return await service.chat_pins(ctx, caller.user, chat_id)


@router.put(
    "/messages/{message_id}/saved",
    status_code=204,
    summary="Save a message for myself (again: no change)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def save(message_id: MessageId, caller: Caller, ctx: Ctx) -> Response:
    await saved.save_message(ctx, caller.user, message_id)
    return Response(status_code=204)


@router.delete(
    "/messages/{message_id}/saved",
    status_code=204,
    summary="Take a message out of my saved items",
    responses=error_responses(401, 403, 404, 422),
)
async def unsave(message_id: MessageId, caller: Caller, ctx: Ctx) -> Response:
    await saved.unsave_message(ctx, caller.user, message_id)
    return Response(status_code=204)


@router.get(
    "/users/me/saved",
    response_model=list[SavedOut],
    summary="My saved messages, the latest saved first",
    description="`before`: the message id of the last item of the page you have. Messages "
    "deleted since, or in chats you left, are not shown.",
    responses=error_responses(400, 401, 422),
)
async def my_saved(
    caller: Caller,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
):
    return await saved.saved_messages(ctx, caller.user, limit=limit, before=before)

"""HTTP routes of the messages domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from chinwag.deps import Caller, Ctx
from chinwag.errors import error_responses
from chinwag.messages import edits, reactions, reading, service
from chinwag.messages.emoji_catalogue import catalogue
from chinwag.messages.schemas import (
    CommandResult,
    EmojiCatalogue,
    MessageIn,
    MessageOut,
    MessagePatch,
    MessageVersionOut,
    ReadIn,
    UnreadIn,
)
from chinwag.validation import MAX_BIGINT, ChatId, MessageId

router = APIRouter(prefix="/api", tags=["messages"])

Cursor = Annotated[int | None, Query(ge=0, le=MAX_BIGINT)]
Emoji = Annotated[str, Path(max_length=32, description="One emoji, URL-encoded")]


@router.get(
    "/chats/{chat_id}/messages",
    response_model=list[MessageOut],
    summary="History, ascending by seq",
    description="`after`/`before` are seq cursors (exclusive); `offset` counts from the "
    "first message; with neither, the latest `limit` messages.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def history(
    chat_id: ChatId,
    caller: Caller,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before: Cursor = None,
    after: Cursor = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_BIGINT)] = None,
):
    return await service.history(
        ctx, caller.user, chat_id, limit=limit, before=before, after=after, offset=offset
    )


@router.post(
    "/chats/{chat_id}/messages",
    status_code=201,
    response_model=MessageOut,
    summary="Send a message (idempotent by client_id: a repeat answers 200)",
    description="A text starting with `/` is a slash command (`/me`, `/shrug`, `/topic`, "
    "`/invite`, `/leave`, `/mute`, `/unmute`, `/remind`, `/help`; `//` sends a literal "
    "slash). `/me` and `/shrug` send a message as usual; the others answer 200 with a "
    "`CommandResult` for the caller alone, and store no message.",
    responses={
        200: {
            "description": "Sent before with this client_id (a message), or a command's "
            "answer (a CommandResult)",
            "model": MessageOut | CommandResult,
        },
        **error_responses(401, 403, 404, 409, 422, 429),
    },
)
async def send(chat_id: ChatId, data: MessageIn, caller: Caller, ctx: Ctx, response: Response):
    sent = await service.send_message(
        ctx, caller.user, chat_id, data.text, data.client_id, data.reply_to, data.attachment_ids
    )
    if sent.command is not None:
        return JSONResponse(sent.command)  # 200: the command ran, nothing was stored
    if not sent.created:
        response.status_code = 200
    return sent.message


@router.post(
    "/chats/{chat_id}/read",
    status_code=204,
    summary="Move my read pointer forward",
    responses=error_responses(401, 403, 404, 422),
)
async def mark_read(chat_id: ChatId, data: ReadIn, caller: Caller, ctx: Ctx) -> Response:
    await reading.mark_read(ctx, caller.user, chat_id, data.seq)
    return Response(status_code=204)


@router.post(
    "/chats/{chat_id}/unread",
    status_code=204,
    summary="Mark as unread from message `seq` on (moves my read pointer back)",
    responses=error_responses(401, 403, 404, 422),
)
async def mark_unread(chat_id: ChatId, data: UnreadIn, caller: Caller, ctx: Ctx) -> Response:
    await reading.mark_unread(ctx, caller.user, chat_id, data.seq)
    return Response(status_code=204)


@router.get(
    "/emoji",
    response_model=EmojiCatalogue,
    summary="Every emoji the reaction picker offers, grouped, with names and aliases",
    description="The same for everyone and every request until the server is upgraded: "
    "answered with an `ETag` (send it back in `If-None-Match` for a 304). No sign-in needed.",
    # 422: an unknown query parameter, as everywhere
    responses={304: {"description": "Not changed since the ETag given"}, **error_responses(422)},
)
async def emoji_catalogue(request: Request) -> Response:
    known = catalogue()
    headers = {"ETag": known.etag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == known.etag:
        return Response(status_code=304, headers=headers)
    return Response(known.body, media_type="application/json", headers=headers)


@router.put(
    "/messages/{message_id}/reactions/{emoji}",
    status_code=204,
    summary="React to a message with one emoji (again: no change)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def add_reaction(message_id: MessageId, emoji: Emoji, caller: Caller, ctx: Ctx) -> Response:
    await reactions.add_reaction(ctx, caller.user, message_id, emoji)
    return Response(status_code=204)


@router.delete(
    "/messages/{message_id}/reactions/{emoji}",
    status_code=204,
    summary="Take my reaction back",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def remove_reaction(
    message_id: MessageId, emoji: Emoji, caller: Caller, ctx: Ctx
) -> Response:
    await reactions.remove_reaction(ctx, caller.user, message_id, emoji)
    return Response(status_code=204)


@router.patch(
    "/messages/{message_id}",
    response_model=MessageOut,
    summary="Edit my message",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def edit(message_id: MessageId, data: MessagePatch, caller: Caller, ctx: Ctx):
    return await service.edit_message(ctx, caller.user, message_id, data.text)


@router.get(
    "/messages/{message_id}/edits",
    response_model=list[MessageVersionOut],
    summary="Edit history: the message's versions, newest first",
    description="What the message says now (first), then each version an edit replaced, with "
    "when it was written and replaced; `before` (a version's `id`) pages back. For the members "
    "who may read the chat; a deleted message has none (404).",
    responses=error_responses(401, 403, 404, 422),
)
async def versions(
    message_id: MessageId,
    caller: Caller,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    before: Cursor = None,
):
    return await edits.message_versions(ctx, caller.user, message_id, limit=limit, before=before)


@router.delete(
    "/messages/{message_id}",
    status_code=204,
    summary="Delete a message (sender or chat admin)",
    responses=error_responses(401, 403, 404, 422),
)
async def delete(message_id: MessageId, caller: Caller, ctx: Ctx) -> Response:
    await service.delete_message(ctx, caller.user, message_id)
    return Response(status_code=204)

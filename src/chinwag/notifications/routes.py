"""HTTP: the VAPID public key, a device's push subscription, a chat's mute, and the one-click
unsubscribe link of the missed-message email (no sign-in: the token is signed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from chinwag.deps import Caller, Ctx
from chinwag.errors import error_responses
from chinwag.notifications import service
from chinwag.notifications.schemas import (
    ChatNotificationsIn,
    ChatNotificationsOut,
    PushKeyOut,
    SubscriptionIn,
    SubscriptionOut,
    UnsubscribeIn,
)
from chinwag.validation import ChatId

router = APIRouter(prefix="/api", tags=["notifications"])
Token = Annotated[str, Query(min_length=3, max_length=200)]

# The page a person lands on from the mail; 400 (the same page) for a token that isn't ours.
PAGE_RESPONSES = {
    200: {"content": {"text/html": {}}, "description": "Unsubscribed"},
    400: {"content": {"text/html": {}}, "description": "The link is not valid"},
    **error_responses(422),
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>chinwag</title>
</head><body><main><h1>{title}</h1><p>{text}</p><p><a href="/">Open chinwag</a></p></main>
</body></html>"""


@router.get(
    "/push/key",
    response_model=PushKeyOut,
    summary="The server's VAPID public key",
    responses=error_responses(401),
)
async def push_key(caller: Caller, ctx: Ctx) -> PushKeyOut:
    return PushKeyOut(public_key=ctx.notifier.public_key)


@router.post(
    "/push/subscriptions",
    status_code=201,
    response_model=SubscriptionOut,
    summary="Get pushes on this device",
    description="The browser's PushSubscription (endpoint and keys). Direct messages and "
    "mentions are pushed while you have no socket open. 422 for an endpoint that isn't https.",
    responses=error_responses(401, 422),
)
async def subscribe(data: SubscriptionIn, caller: Caller, ctx: Ctx) -> SubscriptionOut:
    await service.subscribe(
        ctx, caller.user.id, caller.session_id, data.endpoint, data.keys.p256dh, data.keys.auth
    )
    return SubscriptionOut(endpoint=data.endpoint)


@router.delete(
    "/push/subscriptions",
    status_code=204,
    summary="No more pushes on this device",
    responses=error_responses(401, 404, 422),
)
async def unsubscribe(data: UnsubscribeIn, caller: Caller, ctx: Ctx) -> Response:
    await service.unsubscribe(ctx, caller.user.id, data.endpoint)
    return Response(status_code=204)


@router.put(
    "/chats/{chat_id}/notifications",
    response_model=ChatNotificationsOut,
    summary="Mute or unmute a chat",
    responses=error_responses(401, 403, 404, 422),
)
async def chat_notifications(
    chat_id: ChatId, data: ChatNotificationsIn, caller: Caller, ctx: Ctx
) -> ChatNotificationsOut:
    await service.set_muted(ctx, caller.user.id, chat_id, data.muted)
    return ChatNotificationsOut(chat_id=chat_id, muted=data.muted)


async def _unsubscribe_page(ctx, token: str) -> HTMLResponse:
    if await service.unsubscribe_by_token(ctx, token):
        title, text, status = (
            "Unsubscribed",
            "You will get no more missed-message emails. You can turn them back on in "
            "your account settings.",
            200,
        )
    else:
        title, text, status = ("Link not valid", "This unsubscribe link is not valid.", 400)
    return HTMLResponse(PAGE.format(title=title, text=text), status_code=status)


@router.get(
    "/notifications/unsubscribe",
    response_class=HTMLResponse,
    summary="Stop missed-message email (the mail's link)",
    responses=PAGE_RESPONSES,
)
async def unsubscribe_link(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _unsubscribe_page(ctx, token)


@router.post(
    "/notifications/unsubscribe",
    response_class=HTMLResponse,
    summary="Stop missed-message email (RFC 8058 one-click)",
    responses=PAGE_RESPONSES,
)
async def unsubscribe_one_click(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _unsubscribe_page(ctx, token)

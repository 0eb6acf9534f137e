"""The API's shapes for push subscriptions and a chat's notifications."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from chinwag.validation import InputModel, StorableStr

# Push services' endpoints are a few hundred characters; the keys are base64url of 65 and 16
# bytes (RFC 8291).
Endpoint = Annotated[StorableStr, Field(min_length=8, max_length=2048)]
Base64Url = Annotated[
    StorableStr, Field(min_length=16, max_length=255, pattern=r"^[A-Za-z0-9_-]+=*$")
]


class SubscriptionKeys(InputModel):
    p256dh: Base64Url
    auth: Base64Url


class SubscriptionIn(InputModel):
    """PushSubscription.toJSON() as the browser gives it (expirationTime may be sent)."""

    endpoint: Endpoint
    keys: SubscriptionKeys
    expirationTime: int | None = Field(None, description="Ignored; the push service decides")  # noqa: N815 - the browser's name


class SubscriptionOut(BaseModel):
    endpoint: str


class UnsubscribeIn(InputModel):
    endpoint: Endpoint


class PushKeyOut(BaseModel):
    public_key: str = Field(description="applicationServerKey for PushManager.subscribe()")


class ChatNotificationsIn(InputModel):
    muted: bool = Field(description="true: no push and no missed-message email for this chat")


class ChatNotificationsOut(BaseModel):
    chat_id: int
    muted: bool

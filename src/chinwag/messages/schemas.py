"""The messages API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chinwag.validation import MAX_BIGINT, text_field

# The configured limit (CHINWAG_MESSAGE_MAX_CHARS, default 4000) is checked by the service.
MessageText = text_field(1, 100_000)
ClientId = Annotated[text_field(1, 64), Field(examples=["6f1c0e9e-5d2b-4b8e-9d0a-2b7c1d3e4f50"])]


class MessageIn(BaseModel):
    text: MessageText
    client_id: ClientId | None = Field(
        None, description="Your id for this send: sending it again returns the first message"
    )
    reply_to: int | None = Field(None, ge=1, le=MAX_BIGINT)


class MessagePatch(BaseModel):
    text: MessageText


class ReadIn(BaseModel):
    seq: int = Field(ge=0, le=MAX_BIGINT)


class MessageOut(BaseModel):
    id: int
    chat_id: int
    seq: int
    sender_id: int | None
    kind: Literal["text", "system"]
    text: str | None = Field(description="null once deleted")
    client_id: str | None
    reply_to: int | None
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    is_read: bool

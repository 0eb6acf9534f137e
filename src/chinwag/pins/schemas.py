"""The shapes of pins and saved messages in the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chinwag.messages.schemas import MessageOut


class PinOut(BaseModel):
    message: MessageOut = Field(description="The message as history shows it")
    pinned_by: int | None = Field(description="Who pinned it (null once their account is gone)")
    pinned_at: datetime


class SavedOut(BaseModel):
    message: MessageOut = Field(description="The message as history shows it (its chat_id too)")
    saved_at: datetime

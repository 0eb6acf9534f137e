"""What reports look like on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chinwag.validation import InputModel, StorableStr


class ReportIn(InputModel):
    reason: StorableStr = Field(min_length=1, max_length=500)


class ReportCreatedOut(BaseModel):
    id: int


class ReportOut(BaseModel):
    id: int
    message_id: int
    chat_id: int
    chat_name: str
    seq: int
    text: str | None = Field(description="null once the message is deleted")
    sender_id: int | None
    sender_username: str | None
    reporter_username: str | None
    reason: str
    created_at: datetime
    resolution: str | None = Field(
        description="null while open; dismissed, message_deleted or sender_deactivated"
    )
    resolved_at: datetime | None


class ResolveIn(InputModel):
    action: Literal["dismiss", "delete_message", "deactivate_sender"]


class ResolvedOut(BaseModel):
    reports_closed: int = Field(description="Every open report of the message is closed")

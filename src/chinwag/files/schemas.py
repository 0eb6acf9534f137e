"""The files API's shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_ATTACHMENTS = 10  # files one message may carry


class FileOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int = Field(description="Bytes")
    sha256: str
    is_image: bool = Field(description="PNG, JPEG, GIF or WebP, recognised by its content")
    width: int | None
    height: int | None
    url: str = Field(description="Download (uploader and members of chats it was shared in)")
    thumbnail_url: str | None = Field(description="Longest side 400 px; images only")

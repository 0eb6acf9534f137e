"""WebSocket protocol v1: the frames a client may send, validated in one place."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationError

from chinwag.messages.schemas import AttachmentIds, ClientId, MessageText
from chinwag.validation import MAX_BIGINT, MAX_INT, InputModel, problems_text

ChatRef = Annotated[int, Field(ge=1, le=MAX_INT)]


class SendFrame(InputModel):
    type: Literal["message.send"]
    chat_id: ChatRef
    text: MessageText = ""
    client_id: ClientId
    reply_to: int | None = Field(None, ge=1, le=MAX_BIGINT)
    attachment_ids: AttachmentIds = Field(default_factory=list)


class EditFrame(InputModel):
    type: Literal["message.edit"]
    message_id: int = Field(ge=1, le=MAX_BIGINT)
    text: MessageText


class TypingFrame(InputModel):
    type: Literal["typing"]
    chat_id: ChatRef


class ReadFrame(InputModel):
    type: Literal["read"]
    chat_id: ChatRef
    seq: int = Field(ge=0, le=MAX_BIGINT)


class PingFrame(InputModel):
    type: Literal["ping"]


ClientFrame = Annotated[
    SendFrame | EditFrame | TypingFrame | ReadFrame | PingFrame, Field(discriminator="type")
]
KNOWN_TYPES = {"message.send", "message.edit", "typing", "read", "ping"}
_frames = TypeAdapter(ClientFrame)


class FrameError(Exception):
    """A frame we answer with an `error` frame, keeping the socket open."""

    def __init__(
        self, code: str, message: str, client_id: str | None = None, extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.client_id = code, message, client_id
        self.extra = extra  # beside code and message: `until` of a mute, ...


def parse_frame(raw: dict) -> SendFrame | EditFrame | TypingFrame | ReadFrame | PingFrame:
    if "type" not in raw:
        # not an unknown type ("unknown frame type 'None'" said): the field itself is missing
        raise FrameError("validation_error", "type: missing (every frame needs a type)")
    kind = raw["type"]
    if not isinstance(kind, str) or kind not in KNOWN_TYPES:
        raise FrameError("unknown_type", f"unknown frame type {str(kind)[:40]!r}")
    try:
        return _frames.validate_python(raw)
    except ValidationError as exc:
        client_id = raw.get("client_id") if isinstance(raw.get("client_id"), str) else None
        # loc[0] is the frame's type (the union's tag): the fields' paths start after it
        message = problems_text(exc.errors(), skip=1)
        client_id = client_id[:64] if client_id else None
        raise FrameError("validation_error", message, client_id) from None


def error_frame(
    code: str, message: str, client_id: str | None = None, extra: dict | None = None
) -> dict:
    frame = {"type": "error", "code": code, "message": message}
    if extra:
        frame.update(extra)
    if client_id is not None:
        frame["client_id"] = client_id
    return frame

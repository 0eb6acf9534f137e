"""The messages API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chinwag.files.schemas import MAX_ATTACHMENTS, FileOut
from chinwag.validation import MAX_BIGINT, InputModel, text_field

# The configured limit (CHINWAG_MESSAGE_MAX_CHARS, default 4000) is checked by the service,
# and so is emptiness: a message with attachments may have no text.
MessageText = text_field(0, 100_000)
AttachmentIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_BIGINT)]],
    Field(
        max_length=MAX_ATTACHMENTS,
        description=f"Files you uploaded (POST /api/files), at most {MAX_ATTACHMENTS}",
    ),
]
ClientId = Annotated[text_field(1, 64), Field(examples=["6f1c0e9e-5d2b-4b8e-9d0a-2b7c1d3e4f50"])]


class MessageIn(InputModel):
    text: MessageText = Field("", description="Markdown (CommonMark); may be empty with files")
    client_id: ClientId | None = Field(
        None, description="Your id for this send: sending it again returns the first message"
    )
    reply_to: int | None = Field(None, ge=1, le=MAX_BIGINT)
    attachment_ids: AttachmentIds = Field(default_factory=list)


class MessagePatch(InputModel):
    text: MessageText


class ReadIn(InputModel):
    seq: int = Field(ge=0, le=MAX_BIGINT)


class UnreadIn(InputModel):
    seq: int = Field(ge=1, le=MAX_BIGINT, description="The first message to show as unread")


class ReplyOut(BaseModel):
    id: int
    seq: int | None = Field(description="The quoted message's seq in this chat")
    sender_id: int | None
    snippet: str | None = Field(description="How the quoted message starts; null once deleted")


class ReactionOut(BaseModel):
    emoji: str
    count: int
    user_ids: list[int]


class MessageOut(BaseModel):
    id: int
    chat_id: int
    seq: int
    sender_id: int | None
    kind: Literal["text", "me", "system"] = Field(description="`me`: an emote, sent with `/me`")
    text: str | None = Field(description="Markdown as sent; null once deleted")
    html: str | None = Field(description="`text` rendered and sanitised; null once deleted")
    client_id: str | None
    reply_to: ReplyOut | None
    mentions: list[int] = Field(description="Ids of the members this message notified")
    attachments: list[FileOut]
    reactions: list[ReactionOut]
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    is_read: bool
    pinned: bool = Field(description="Pinned in its chat (GET /api/chats/{id}/pins)")


class MessageVersionOut(BaseModel):
    id: int | None = Field(description="The kept version's id (a `before` cursor); null: current")
    current: bool = Field(description="True for what the message says now (the first item)")
    text: str = Field(description="Markdown as it read then")
    html: str | None = Field(description="`text` rendered and sanitised, as shown then")
    written_at: datetime = Field(description="When this version was written: sent or edited")
    replaced_at: datetime | None = Field(description="When an edit replaced it; null: current")
    replaced_by: int | None = Field(description="Who made that edit (the sender); null: current")


class CommandResult(BaseModel):
    """A slash command's answer for the sender alone: never stored, never sent to others."""

    command: str = Field(description="The command's name, as typed (`help`, `topic`, ...)")
    ok: bool = Field(description="False for an unknown command or one not available yet")
    text: str = Field(description="What to show the sender")


class EmojiEntry(BaseModel):
    emoji: str
    name: str = Field(description="Its English name, as `waving hand`")
    aliases: list[str] = Field(description="Its shortcodes besides the name, as `wave`")


class EmojiGroup(BaseModel):
    key: Literal["smileys", "people", "nature", "travel", "objects", "symbols", "flags"]
    emoji: list[EmojiEntry]


class EmojiCatalogue(BaseModel):
    groups: list[EmojiGroup]

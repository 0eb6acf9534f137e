"""The chats API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chinwag.messages.schemas import MessageOut
from chinwag.validation import MAX_INT, InputModel, text_field

ChatName = text_field(1, 80)
Description = text_field(0, 2000, strip=False)
UserIdList = Annotated[list[Annotated[int, Field(ge=1, le=MAX_INT)]], Field(max_length=100)]


class ChatCreate(InputModel):
    name: ChatName
    description: Description = ""
    is_public: bool = False
    member_ids: UserIdList = []


class DirectChatIn(InputModel):
    user_id: int = Field(ge=1, le=MAX_INT)


RetentionDays = Annotated[int, Field(ge=1, le=36500)]


class ChatPatch(InputModel):
    name: ChatName | None = None
    description: Description | None = None
    is_public: bool | None = None
    retention_days: RetentionDays | None = Field(
        None,
        description="Days the group's messages are kept (owner only; null: the workspace's). "
        "Never longer than the workspace's CHINWAG_RETENTION_DAYS: 422 `retention_too_long`",
    )


class MembersAdd(InputModel):
    user_ids: Annotated[UserIdList, Field(min_length=1)]


class RoleIn(InputModel):
    role: Literal["owner", "admin", "member"]


class UserBrief(BaseModel):
    id: int
    username: str
    display_name: str
    avatar_url: str | None = Field(None, description="The avatar's thumbnail, or null")


class ChatOut(BaseModel):
    """A chat as one user sees it: `role` is null for a public group they haven't joined."""

    id: int
    kind: Literal["direct", "group"]
    name: str
    description: str
    is_public: bool
    role: Literal["owner", "admin", "member"] | None
    member_count: int
    last_seq: int
    last_read_seq: int
    unread: int
    unread_mentions: int = Field(description="Unread messages that mention me")
    muted: bool = Field(False, description="I get no push or missed-message email from it")
    last_message: MessageOut | None
    created_at: datetime
    created_by: int | None
    retention_days: int | None = Field(
        None, description="The group's own retention in days; null: the workspace's"
    )
    peer: UserBrief | None = Field(None, description="The other person, in a direct chat")


class MemberOut(BaseModel):
    user_id: int
    role: Literal["owner", "admin", "member"]
    joined_at: datetime
    last_read_seq: int
    user: UserBrief


class BanIn(InputModel):
    user_id: int = Field(ge=1, le=MAX_INT)


class BanOut(BaseModel):
    user_id: int
    username: str
    banned_by: int | None
    created_at: datetime

"""The chats API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from chinwag.messages.schemas import MessageOut
from chinwag.validation import MAX_INT, InputModel, JsonMoment, text_field

ChatName = text_field(1, 80)
Description = text_field(0, 2000, strip=False)
UserIdList = Annotated[list[Annotated[int, Field(ge=1, le=MAX_INT)]], Field(max_length=100)]


class ChatCreate(InputModel):
    name: ChatName
    description: Description = ""
    is_public: bool = False
    member_ids: UserIdList = []


class DirectChatIn(InputModel):
    """`user_id`: the direct chat with one person; `user_ids`: a group direct message with
    these people (2 to 8 of them besides me, or the direct chat when they make a pair)."""

    user_id: int | None = Field(None, ge=1, le=MAX_INT)
    user_ids: UserIdList | None = Field(
        None,
        description="The other people of a group direct message (you may be among them): "
        "3 to 9 people in all with you; two (you and one other) is the direct chat; more "
        "than nine: 422 `too_many_people`; nobody else: 400 `direct_self`",
    )

    @model_validator(mode="after")
    def _one_of(self) -> DirectChatIn:
        if (self.user_id is None) == (self.user_ids is None):
            raise ValueError("give user_id or user_ids (one of the two)")
        return self


RetentionDays = Annotated[int, Field(ge=1, le=36500)]
SLOW_MODE_MAX = 21600  # six hours, as Discord's longest
SlowModeSeconds = Annotated[int, Field(ge=0, le=SLOW_MODE_MAX)]
MUTE_MAX_MINUTES = 366 * 24 * 60


class ChatPatch(InputModel):
    name: ChatName | None = None
    description: Description | None = None
    is_public: bool | None = None
    retention_days: RetentionDays | None = Field(
        None,
        description="Days the group's messages are kept (owner only; null: the workspace's). "
        "Never longer than the workspace's CHINWAG_RETENTION_DAYS: 422 `retention_too_long`",
    )
    slow_mode_seconds: SlowModeSeconds | None = Field(
        None,
        description="Slow mode (admins): each member (not admins) may send one message per "
        "this many seconds, else 429 `slow_mode`; 0 turns it off",
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
    kind: Literal["direct", "group_dm", "group"]
    name: str = Field(
        description="A group's name; a direct chat's: the other person's display name; a "
        "group direct message's: its other members' display names, comma-separated"
    )
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
    members: list[UserBrief] | None = Field(
        None, description="Everyone in a group direct message (me too); null in other chats"
    )
    slow_mode_seconds: int = Field(
        0, description="Slow mode: one message per member per this many seconds; 0: off"
    )
    muted_until: datetime | None = Field(
        None,
        description="A group admin muted me here: my sends are refused (403 `muted`) until "
        "then; null: not muted (`muted` is my own choice of notifications, another thing)",
    )


class MemberOut(BaseModel):
    user_id: int
    role: Literal["owner", "admin", "member"]
    joined_at: datetime
    last_read_seq: int
    muted_until: datetime | None = Field(
        None, description="Muted by a group admin until then (sends refused); null: not muted"
    )
    user: UserBrief


class MuteIn(InputModel):
    """Who, and for how long: `minutes` from now or `until` a moment (one of the two)."""

    user_id: int = Field(ge=1, le=MAX_INT)
    minutes: int | None = Field(None, ge=1, le=MUTE_MAX_MINUTES)
    until: JsonMoment | None = Field(None, description="In the future, within 366 days")

    @model_validator(mode="after")
    def _one_of(self) -> MuteIn:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("give minutes or until (one of the two)")
        return self


class MuteOut(BaseModel):
    user_id: int
    muted_until: datetime


class MutedMember(BaseModel):
    user_id: int
    username: str
    muted_until: datetime


class BanIn(InputModel):
    user_id: int = Field(ge=1, le=MAX_INT)


class BanOut(BaseModel):
    user_id: int
    username: str
    banned_by: int | None
    created_at: datetime

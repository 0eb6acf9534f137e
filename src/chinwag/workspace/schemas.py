"""What the workspace's settings and invitations look like on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from chinwag.validation import MAX_INT, InputModel

Registration = Literal["open", "invite_only", "closed"]
PublicGroupsBy = Annotated[
    Literal["everyone", "admins"],
    Field(description="Who may create or open public groups: everyone, or site administrators"),
]


class WorkspaceBase(BaseModel):
    name: str
    registration: Registration


class WorkspaceOut(WorkspaceBase):
    sso_name: str | None = Field(
        description="The single sign-on button's name (Sign in with ...); null: none here"
    )
    password_signin: bool = Field(
        description="Whether password sign-in, sign-up and reset are on (else SSO only)"
    )


class WorkspaceSettingsOut(WorkspaceBase):
    default_group_ids: list[int] = Field(description="Groups every newcomer joins")
    public_groups_by: PublicGroupsBy
    require_two_factor: bool = Field(
        description="Every account must sign in with a second factor (TOTP)"
    )


class WorkspacePatch(InputModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    registration: Registration | None = None
    default_group_ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] | None = Field(
        None, max_length=20
    )
    public_groups_by: PublicGroupsBy | None = None
    require_two_factor: bool | None = Field(
        None, description="Accounts without two-factor sign-in may only set it up"
    )


class InvitationIn(InputModel):
    email: EmailStr | None = Field(
        None, max_length=254, description="Only this address may use it; mailed to it"
    )
    max_uses: int | None = Field(1, ge=1, le=10_000, description="null: any number of sign-ups")
    expires_in_days: int = Field(7, ge=1, le=30)
    chat_ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        default_factory=list, max_length=20, description="Groups the newcomer joins"
    )


class InvitationOut(BaseModel):
    id: int
    email: str | None
    chat_ids: list[int]
    max_uses: int | None
    uses: int
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    revoked: bool


class NewInvitationOut(BaseModel):
    id: int
    link: str = Field(description="Shown once: only the token's hash is kept")
    expires_at: datetime


class InvitationPreviewOut(BaseModel):
    workspace: str
    invited_by: str | None
    email: str | None
    groups: list[str]
    expires_at: datetime

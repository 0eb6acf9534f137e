"""What site administrators send and get."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chinwag.validation import InputModel


class AdminUserOut(BaseModel):
    """An account as a site administrator sees it."""

    id: int
    username: str
    display_name: str
    email: str
    is_active: bool
    is_site_admin: bool
    created_at: datetime
    last_seen_at: datetime | None
    avatar_url: str | None = Field(None, description="The avatar's thumbnail (WebP), or null")


class AdminUserPatch(InputModel):
    is_site_admin: bool


class AuditEntryOut(BaseModel):
    id: int
    action: str = Field(
        description="user.deactivated, user.reactivated, user.site_admin_granted, "
        "user.site_admin_revoked, chat.retention_set (details: chat_id, retention_days)"
    )
    actor_id: int | None = Field(description="null: the server's command line")
    actor_username: str | None
    target_user_id: int | None
    target_username: str | None
    details: dict
    created_at: datetime

"""The workspace's own settings (one row) and its invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from chinwag.db.base import Base, UTCDateTime, utcnow

REGISTRATION_MODES = ("open", "invite_only", "closed")
PUBLIC_GROUPS_BY = ("everyone", "admins")


class Workspace(Base):
    """One row (id 1), made on first use; until then the settings' defaults apply."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    registration: Mapped[str] = mapped_column(String(16))
    # Groups every newcomer joins (a fresh install's "general").
    default_group_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Who may create (or open up) public groups: "everyone" or "admins" (site administrators).
    public_groups_by: Mapped[str] = mapped_column(String(16), default="everyone")
    # Every account must sign in with a second factor (twofactor/): one without it may only
    # set it up.
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Invitation(Base):
    """A link to sign up by: the token is shown once, only its hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))  # only this address may use it
    chat_ids: Mapped[list] = mapped_column(JSON, default=list)  # groups the newcomer joins
    max_uses: Mapped[int | None] = mapped_column(Integer)  # null: any number
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

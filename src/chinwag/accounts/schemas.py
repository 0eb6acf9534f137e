"""The accounts API's shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, field_validator

from chinwag.db.base import utcnow
from chinwag.validation import (
    MAX_BIGINT,
    InputModel,
    JsonDate,
    StorableStr,
    _storable,
    text_field,
)

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,32}$"
Username = Annotated[str, Field(pattern=USERNAME_PATTERN, examples=["ana.silva"])]
Password = Annotated[StorableStr, Field(min_length=8, max_length=128, examples=["correct horse"])]
DisplayName = text_field(0, 64)
Phone = Annotated[
    str, Field(max_length=32, pattern=r"^[0-9+()\-. ]*$", examples=["+44 20 7946 0958"])
]
Bio = text_field(0, 2000, strip=False)


class RegisterIn(InputModel):
    email: EmailStr = Field(max_length=254)
    username: Username
    password: Password
    display_name: DisplayName | None = None
    invitation: str | None = Field(
        None, min_length=10, max_length=100, description="The token of an invitation link"
    )


class LoginIn(InputModel):
    login: Annotated[StorableStr, Field(min_length=1, max_length=254)] = Field(
        description="Email or username"
    )
    password: Annotated[StorableStr, Field(min_length=1, max_length=128)]
    code: Annotated[StorableStr, Field(min_length=1, max_length=32)] | None = Field(
        None,
        description="With two-factor sign-in: a code from the authenticator app, or a "
        "recovery code (asked for by 401 `two_factor_required`)",
    )


class RefreshIn(InputModel):
    refresh_token: Annotated[StorableStr, Field(min_length=1, max_length=200)] | None = None


class PasswordResetIn(InputModel):
    email: Annotated[StorableStr, Field(min_length=1, max_length=254)]


class PasswordResetConfirmIn(InputModel):
    token: Annotated[StorableStr, Field(min_length=1, max_length=200)]
    new_password: Password


class PasswordChangeIn(InputModel):
    current_password: Annotated[StorableStr, Field(min_length=1, max_length=128)]
    new_password: Password


class VerifyEmailIn(InputModel):
    token: Annotated[StorableStr, Field(min_length=1, max_length=200)]


class ProfilePatch(InputModel):
    """Only the fields sent are changed; null clears phone and birth date."""

    username: Username | None = Field(None, description="Unique regardless of case; 409 if taken")
    email: EmailStr | None = Field(
        None,
        max_length=254,
        description="Needs current_password. Unverified until the link mailed to it is "
        "followed; the old address is told",
    )
    current_password: Annotated[StorableStr, Field(min_length=1, max_length=128)] | None = Field(
        None, description="Your password: needed to change the email address"
    )
    display_name: DisplayName | None = None
    phone: Phone | None = None
    birth_date: JsonDate | None = None
    bio: Bio | None = None
    settings: dict | None = None
    email_missed_messages: bool | None = Field(
        None, description="Mail me direct messages and mentions left unread while away"
    )
    avatar_file_id: int | None = Field(
        None, ge=1, le=MAX_BIGINT, description="An image you uploaded; null removes the avatar"
    )

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= utcnow().date()):
            raise ValueError("must be between 1900-01-01 and today")
        return value

    @field_validator("settings")
    @classmethod
    def _small_settings(cls, value: dict | None) -> dict | None:
        import json

        if value is not None and len(json.dumps(value)) > 16_384:
            raise ValueError("must be at most 16 KiB of JSON")
        for text in _strings_in(value):
            _storable(text)  # NUL or lone surrogates: 422 here, not 500 on storing or answering
        return value


SETTINGS_MAX_DEPTH = 32  # deeper JSON could be stored but not serialised back (a 500)


def _strings_in(value, depth: int = 0) -> list[str]:
    """Every key and string value inside a JSON-like value (refused when nested too deep)."""
    if depth > SETTINGS_MAX_DEPTH:
        raise ValueError(f"must be nested at most {SETTINGS_MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings_in(v, depth + 1))]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(item, depth + 1)]
    return []


class UserOut(BaseModel):
    """Anyone's public profile: never their email or phone."""

    id: int
    username: str
    display_name: str
    bio: str
    created_at: datetime
    online: bool = False
    avatar_url: str | None = Field(None, description="The avatar's thumbnail (WebP), or null")
    timezone: str | None = Field(
        None,
        description="Their IANA time zone (settings.timezone, kept by their client), or null",
    )
    deactivated: bool = Field(False, description="A site administrator deactivated the account")


class MeOut(UserOut):
    email: str
    email_verified: bool = Field(
        False, description="The address is verified (a mailed link was followed)"
    )
    email_verification_required: bool = Field(
        False, description="This server refuses posts until the address is verified"
    )
    phone: str | None
    birth_date: date | None
    settings: dict
    email_missed_messages: bool = True
    is_site_admin: bool = Field(False, description="May use /api/admin/ (the admin page)")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret


class LoginOut(TokenOut):
    refresh_token: str
    expires_in: int = Field(description="Seconds until the access token expires")
    user: MeOut
    two_factor_setup_required: bool = Field(
        False,
        description="The workspace requires two-factor sign-in and this account hasn't set "
        "it up: the access token opens only the setup, /api/users/me and signing out",
    )


class AcceptedOut(BaseModel):
    """A request taken in, whose outcome goes by mail."""

    detail: str


class SessionOut(BaseModel):
    id: str
    user_agent: str
    created_at: datetime
    last_used_at: datetime
    current: bool

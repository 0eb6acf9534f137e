"""What two-factor sign-in looks like on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from chinwag.validation import InputModel, StorableStr

Code = Annotated[
    StorableStr,
    Field(
        min_length=1,
        max_length=32,
        description="A 6-digit code from the authenticator app, or a recovery code",
        examples=["123456"],
    ),
]


class TwoFactorStatusOut(BaseModel):
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int = Field(description="Unused recovery codes")
    required: bool = Field(description="The workspace requires two-factor sign-in")


class TwoFactorSetupOut(BaseModel):
    secret: str = Field(description="The base32 secret, to type into the app by hand")
    otpauth_uri: str = Field(description="otpauth://totp/... (what the QR code holds)")
    qr_svg: str = Field(description="The QR code as an SVG data URI, for an <img src>")


class CodeIn(InputModel):
    code: Code


class DisableIn(InputModel):
    password: Annotated[StorableStr, Field(min_length=1, max_length=128)]
    code: Code


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(
        description="Shown this once: only their hashes are kept; each signs in once"
    )

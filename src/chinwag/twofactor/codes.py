"""The codes of two-factor sign-in, with no storage: TOTP (RFC 6238: SHA1, 6 digits, 30 s
steps, what every authenticator app speaks), the provisioning QR, recovery codes, and the
sealing of the secret at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

from chinwag.accounts.security import secret_hash

DIGITS = 6
INTERVAL = 30
# One step either side: a phone's clock a little off, or a code typed as it turned over.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_TOTP_FORM = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]")


def new_totp_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg_data_uri(uri: str) -> str:
    """The URI as a QR code: an SVG data URI (an <img src>, allowed by the page's CSP)."""
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def normalised(code: str) -> str:
    """What the person typed, without spaces and dashes, in lower case."""
    return _SEPARATORS.sub("", code).lower()


def is_totp_form(code: str) -> bool:
    return bool(_TOTP_FORM.match(code))


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // INTERVAL)


def matching_step(secret: str, code: str, after_step: int, now: float | None = None) -> int | None:
    """The time step (within the drift allowed) whose code is `code`, if it is later than
    `after_step` (the last one accepted: a code is good once); else None."""
    if not is_totp_form(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    step = current_step(now)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        # every candidate compared, in constant time: no timing tells which step matched
        if hmac.compare_digest(totp.generate_otp(candidate), code) and candidate > after_step:
            found = candidate
    return found


def new_recovery_codes() -> list[str]:
    """Ten codes of 48 random bits each, as xxxx-xxxx-xxxx (hex: nothing to misread)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(6)
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_hash(code: str) -> str:
    """Stored instead of the code (as tokens are): the typed form, normalised, hashed."""
    return secret_hash(f"recovery:{normalised(code)}")


def _fernet(key: str) -> Fernet:
    # A key of its own, derived from the signing key: a leak of one use never gives the other.
    derived = hmac.new(key.encode(), b"chinwag-two-factor-secret", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(key: str, secret: str) -> str:
    return _fernet(key).encrypt(secret.encode()).decode()


def unseal(key: str, sealed: str) -> str | None:
    """The secret, or None when it was sealed under another CHINWAG_SECRET_KEY."""
    try:
        return _fernet(key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None

"""What a client says about its file (name, declared type), made safe to store and to echo
back in headers. None of it ever names anything on disk."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_FILENAME_CHARS = 255
DEFAULT_FILENAME = "file"
OCTET_STREAM = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
# Joiners build emoji sequences; every other format character (bidi overrides that make
# "gpj.exe" read as "exe.jpg", zero-width spaces) is only there to mislead.
_KEPT_FORMAT_CHARS = {"\u200c", "\u200d"}
# Characters RFC 5987 lets through unencoded in filename*=, beside letters, digits and -._~
_ATTR_CHARS = "!#$&+^`|"


def clean_filename(raw: str) -> str:
    """The name to show for an upload: its last path part, without control or bidi
    characters, at most 255 characters; "file" when nothing is left."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            kept.append(" ")
        elif category not in ("Cc", "Cs", "Cf") or char in _KEPT_FORMAT_CHARS:
            kept.append(char)
    name = "".join(kept).strip()
    if name in ("", ".", ".."):
        return DEFAULT_FILENAME
    return name[:MAX_FILENAME_CHARS]


def declared_type(raw: str | None) -> str:
    """The media type the client declared, if it is one (parameters dropped), else
    application/octet-stream. Shown only: files are never served as what they claim."""
    media_type = (raw or "").split(";", 1)[0].strip().lower()
    return media_type if _MEDIA_TYPE.match(media_type) else OCTET_STREAM


def _ascii_fallback(name: str) -> str:
    # For clients without RFC 6266 support: the name spelled in ASCII, without the
    # characters that would end or escape the quoted string.
    decomposed = unicodedata.normalize("NFKD", name)
    safe = "".join(
        c if " " <= c <= "~" and c not in '"\\' else "_"
        for c in decomposed
        if unicodedata.category(c) != "Mn"  # accents go, their letters stay: é -> e
    )
    return safe.strip() or DEFAULT_FILENAME


def content_disposition(name: str, *, inline: bool) -> str:
    """A Content-Disposition header per RFC 6266: an ASCII `filename` and the exact name,
    UTF-8 and percent-encoded, in `filename*`."""
    kind = "inline" if inline else "attachment"
    encoded = quote(name, safe=_ATTR_CHARS)
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"

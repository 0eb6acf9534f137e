"""Field types shared by every domain's schemas: text that every database can store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, StringConstraints

# Ids in paths and cursors in queries are bounded so no database sees an out-of-range integer.
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text and no driver can encode lone surrogates: refuse both here,
    # where the client gets a 422, instead of in the database, where it would be a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


StorableStr = Annotated[str, AfterValidator(_storable)]


def text_field(min_length: int = 0, max_length: int = 255, strip: bool = True):
    """A storable string type of bounded length (after trimming when `strip`)."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length),
        AfterValidator(_storable),
    ]


ChatId = Annotated[int, Path(ge=1, le=MAX_INT, description="Chat id")]
UserId = Annotated[int, Path(ge=1, le=MAX_INT, description="User id")]
MessageId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Message id")]
SearchQuery = Annotated[
    str, Query(max_length=100, description="Text to look for"), AfterValidator(_storable)
]


def like_pattern(text: str) -> str:
    """A LIKE pattern that matches `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

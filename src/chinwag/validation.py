"""Field types shared by every domain's schemas: strict input, text every database can store."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

# Ids in paths and cursors in queries are bounded so no database sees an out-of-range integer.
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


class InputModel(BaseModel):
    """The base of every JSON body and WebSocket frame a client sends: strict types.

    Lax coercion let `true` stand for user 1, `0` for false and `"1"` for a seq. Strict on the
    model, not `Strict` on each field, so a field added later is strict without anyone
    remembering. Bodies are validated as the Python objects their JSON parsed into, where
    strict mode also refuses an ISO string for a `date`: such fields use `JsonDate`, the one
    lax exception. Literals (roles, frame types) compare their JSON strings as they are.
    Query and path parameters are strings on the wire and don't use this base.

    Unknown fields are refused (422 naming them): a misspelt optional field (`user_ids` for
    `member_ids`) dropped in silence did the request without it and answered success.
    """

    model_config = ConfigDict(strict=True, extra="forbid")


def _date_text(value: object) -> object:
    # Lax date parsing would also take a number as a Unix timestamp: JSON writes a date as a
    # string (a date object only comes from Python callers).
    if isinstance(value, str | date):
        return value
    raise PydanticCustomError("date_type", "Input should be a date string (YYYY-MM-DD)")


JsonDate = Annotated[date, Strict(False), BeforeValidator(_date_text)]


def _moment_text(value: object) -> object:
    # as _date_text: a number would be taken for a Unix timestamp
    if isinstance(value, str | datetime):
        return value
    raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")


# A moment with its time zone ("2026-12-04T21:00:00Z"): one without is ambiguous.
JsonMoment = Annotated[AwareDatetime, Strict(False), BeforeValidator(_moment_text)]


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


UNKNOWN_FIELD = "unknown field"
_SHOWN_PROBLEMS = 5  # a list of 100 bad ids needn't become a message of 100 parts


def problem_text(error: dict, skip: int = 0) -> str:
    """One validation error as `where: why`, `where` the field's path after `skip` parts."""
    where = ".".join(str(p) for p in error.get("loc", ())[skip:] if p != "body")
    why = UNKNOWN_FIELD if error.get("type") == "extra_forbidden" else error.get("msg", "")
    return f"{where}: {why}" if where else why or "invalid input"


def problems_text(errors: list[dict], skip: int = 0) -> str:
    """Every problem of an input on one line (not only the first: a form with three wrong
    fields should hear of all three at once)."""
    parts = [problem_text(error, skip) for error in errors[:_SHOWN_PROBLEMS]]
    if len(errors) > _SHOWN_PROBLEMS:
        parts.append(f"and {len(errors) - _SHOWN_PROBLEMS} more")
    return "; ".join(parts) or "invalid input"


def _query_names(dependant) -> set[str]:
    """The query parameters a route's function and its dependencies declare."""
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared_query(request: Request, route: APIRoute) -> frozenset[str]:
    # Per app, by route: an app's routes live as long as it does (routes aren't hashable).
    state = request.app.state
    known = getattr(state, "query_names", None)
    if known is None:
        known = state.query_names = {}
    names = known.get(id(route))
    if names is None:
        names = known[id(route)] = frozenset(_query_names(route.dependant))
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A dependency of every API route: query parameters it doesn't declare are refused (422
    naming them), as unknown body fields are. `?limt=10` used to answer 50 messages."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params) - _declared_query(request, route))
    if unknown:
        raise RequestValidationError(
            [{"type": "extra_forbidden", "loc": ("query", name), "msg": UNKNOWN_FIELD}
             for name in unknown]
        )  # fmt: skip

"""HTTP routes of search: GET /api/search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chinwag.deps import Caller, Ctx
from chinwag.errors import error_responses
from chinwag.search import service
from chinwag.search.schemas import SearchHit, SearchText
from chinwag.validation import MAX_BIGINT, MAX_INT

router = APIRouter(prefix="/api", tags=["search"])


@router.get(
    "/search",
    response_model=list[SearchHit],
    summary="Search the messages of my chats, best match first",
    description="Every word of `q` must occur; the last one, from three letters on, may be "
    'the start of a word; `"two words"` must occur as a phrase. Accents and case don\'t '
    "matter. Operators filter: `from:@user` (several: any), `in:#group` or `in:@user` (my "
    "direct chat with them; several: any), `before:`, `after:` and `on:` a day "
    "(`YYYY-MM-DD` in my profile's time zone, else UTC; before and after exclusive), "
    "`has:file`, `has:link`; `is:thread` and `is:pinned` answer 422 `unsupported_operator` "
    "for now. An unknown `name:value` is words; a known operator with a bad value is 422 "
    "`invalid_operator` (`operator` names it). A person or chat that matches nothing gives "
    "no hits. Other punctuation only separates words. "
    f"The newest {service.CANDIDATES} matches are ranked, best first, ties newest first; "
    "operators without words list their messages newest first. To page, pass the id of the "
    "last hit you got as `before`; when that message is not among the ranked matches (edited "
    "or deleted since, or older), the answer ranks the matches older than it instead. A `q` "
    "without letters, digits or operators answers [].",
    responses=error_responses(401, 403, 404, 422),
)
async def search(
    caller: Caller,
    ctx: Ctx,
    q: SearchText,
    chat_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only this chat (I must be in it)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_BIGINT, description="The message id of the last hit")
    ] = None,
):
    return await service.search_messages(
        ctx, caller.user, q, chat_id=chat_id, limit=limit, before=before
    )

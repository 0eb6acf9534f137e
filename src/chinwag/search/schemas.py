"""The API shapes of search: the query text and a hit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field

from chinwag.messages.schemas import MessageOut
from chinwag.search.terms import MAX_QUERY_CHARS
from chinwag.validation import StorableStr


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


SearchText = Annotated[
    StorableStr,
    Query(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description='Words to find, all of them, "quoted phrases" and operators (from:@user, '
        "in:#group, in:@user, before:/after:/on:YYYY-MM-DD, has:file, has:link); the last "
        "word also as the start of a word (from three letters). Other punctuation separates "
        "words.",
    ),
    AfterValidator(_not_blank),
]


class SearchHit(BaseModel):
    chat_id: int
    message: MessageOut
    snippet: str = Field(
        description="Where the words occur: HTML-escaped text with <mark> around the matches"
    )

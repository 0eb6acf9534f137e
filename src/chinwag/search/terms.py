"""What a search looks for, and how its snippets are marked up.

A query has no syntax: every character the user types is text. It is cut into words (runs of
letters and digits); quotes, operators, column names, brackets and emoji only separate words,
so they can neither change the query nor make it fail. Every word must occur in a message; the
last one also matches as a prefix (search as you type) once it is two characters long.

Snippets come from the database with private-use marker characters around the matches; they
are HTML-escaped here and only then do the markers become <mark> tags, so a message's own text
can never add markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from chinwag.messages.views import snippet as preview

MAX_QUERY_CHARS = 200
MIN_PREFIX_CHARS = 2
MARK_START, MARK_END = "\ue000", "\ue001"

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script, not the underscore


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    prefix: bool  # the last word also matches words that start with it


def parse_terms(query: str) -> SearchTerms | None:
    """The words of a query, or None when it has nothing to search for (only punctuation,
    symbols or emoji, which no index holds)."""
    # NFKC composes accents typed as separate marks, so "e" + U+0301 stays one word.
    words = tuple(_WORD.findall(unicodedata.normalize("NFKC", query)))
    if not words:
        return None
    return SearchTerms(words, prefix=len(words[-1]) >= MIN_PREFIX_CHARS)


def marked_snippet(snippet: str | None, text: str) -> str:
    """`snippet` (from the index, with markers) as HTML-escaped text with <mark> around the
    matches. `text` is the message it was cut from."""
    if snippet is None:  # not expected; still show how the message starts
        snippet = preview(text) or ""
    if MARK_START in text or MARK_END in text:
        # The author typed our markers: none of them can be trusted to pair up.
        snippet = snippet.replace(MARK_START, "").replace(MARK_END, "")
    escaped = html.escape(" ".join(snippet.split()))
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")

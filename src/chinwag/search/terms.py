"""What a search looks for, and how its snippets are marked up.

The words of a query (search.query reads its operators and phrases) have no syntax: every
character is text. They are cut into words (runs of
letters, digits and combining marks, in any script); quotes, operators, column names,
brackets, symbols and emoji only separate words, so they can neither change the query nor
make it fail. Each word then goes to the database as a quoted string that its own tokenizer
splits as it split the messages, so both sides agree on what a word is. Every word must occur
in a message; the last one also matches as a prefix (search as you type) once it is three
characters long ("pr" finds the word "pr", "pro" also "project").

Snippets come from the database with private-use marker characters around the matches; they
are HTML-escaped here and only then do the markers become <mark> tags, so a message's own text
can never add markup.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from dataclasses import dataclass

from chinwag.messages.views import snippet as preview

MAX_QUERY_CHARS = 200
MIN_PREFIX_CHARS = 3
MARK_START, MARK_END = "\ue000", "\ue001"
WORD_CATEGORIES = ("L", "N", "M")  # letters, numbers, marks (Unicode general categories)


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    prefix: bool  # the last word also matches words that start with it
    # Runs of two or more words that must occur in this order, next to each other.
    phrases: tuple[tuple[str, ...], ...] = ()


def words_of(text: str) -> tuple[str, ...]:
    """The words of a text as the index cuts them (punctuation, symbols and emoji only
    separate words)."""
    # NFKC folds compatibility forms (full-width letters, ligatures) to what the index holds.
    runs = itertools.groupby(unicodedata.normalize("NFKC", text), _in_word)
    # A run of marks alone (no letter or digit to sit on) is nothing the index holds.
    return tuple(w for w in ("".join(run) for in_word, run in runs if in_word) if _has_base(w))


def parse_terms(query: str) -> SearchTerms | None:
    """The words of a query, or None when it has nothing to search for (only punctuation,
    symbols or emoji, which no index holds)."""
    words = words_of(query)
    if not words:
        return None
    return SearchTerms(words, prefix=len(words[-1]) >= MIN_PREFIX_CHARS)


def _in_word(char: str) -> bool:
    return unicodedata.category(char)[0] in WORD_CATEGORIES


def _has_base(word: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in word)


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

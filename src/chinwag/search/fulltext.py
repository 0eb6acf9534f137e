"""Full-text search per dialect: SQLite FTS5 and PostgreSQL tsvector (see migration 0003).

Each dialect gives two things: the matches as a `(id, score)` selectable, higher scores better,
restricted to some chats; and the snippets of a few messages with the markers of
search.terms around the matches. The user's words reach the database only as quoted strings
of letters and digits, never as query syntax.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, Float, bindparam, cast, column, func, literal, select, table
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import SelectBase

from chinwag.search.terms import MARK_END, MARK_START, SearchTerms

SNIPPET_WORDS = 24

# --- SQLite: FTS5 table messages_search(body, chat) -------------------------------------------


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts5_words(terms: SearchTerms) -> str:
    quoted = [_fts5_string(word) for word in terms.words]
    if terms.prefix:
        quoted[-1] += "*"
    return "body : (" + " ".join(quoted) + ")"


def _fts5_match(terms: SearchTerms, chat_ids: Sequence[int]) -> str:
    # The chat is a token of its own column, so the index itself keeps to the caller's chats
    # (a join to messages per match would cost as much as the search for a common word).
    chats = " OR ".join(f'"c{int(chat_id)}"' for chat_id in chat_ids)
    return f"{_fts5_words(terms)} AND chat : ({chats})"


def _sqlite_hits(terms: SearchTerms, chat_ids: Sequence[int]) -> SelectBase:
    # bm25 is lower for better matches; the chat column weighs nothing.
    return (
        sql(
            "SELECT rowid AS id, -bm25(messages_search, 1.0, 0.0) AS score "
            "FROM messages_search WHERE messages_search MATCH :match"
        )
        .bindparams(match=_fts5_match(terms, chat_ids))
        .columns(column("id", BigInteger), column("score", Float))
    )


async def _sqlite_snippets(
    db: AsyncSession, terms: SearchTerms, ids: Sequence[int]
) -> dict[int, str]:
    rows = await db.execute(
        sql(
            "SELECT rowid, snippet(messages_search, 0, :start, :end, '…', :words) "
            "FROM messages_search WHERE messages_search MATCH :match AND rowid IN :ids"
        ).bindparams(
            bindparam("ids", expanding=True),
            start=MARK_START,
            end=MARK_END,
            words=SNIPPET_WORDS,
            match=_fts5_words(terms),
            ids=list(ids),
        )
    )
    return {message_id: marked for message_id, marked in rows}


# --- PostgreSQL: messages.search_vector, configuration chinwag_search -------------------------

_messages = table(
    "messages",
    column("id", BigInteger),
    column("chat_id", BigInteger),
    column("text"),
    column("search_vector", TSVECTOR),
)
_CONFIG = cast(literal("chinwag_search"), REGCONFIG)
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, "
    f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, ShortWord=1"
)


def _tsquery(terms: SearchTerms):
    quoted = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in terms.words]
    if terms.prefix:
        quoted[-1] += ":*"
    # to_tsquery still runs each quoted word through the configuration (lower case, unaccent).
    return func.to_tsquery(_CONFIG, bindparam("tsquery", " & ".join(quoted)))


def _postgresql_hits(terms: SearchTerms, chat_ids: Sequence[int]) -> SelectBase:
    query = _tsquery(terms)
    vector = _messages.c.search_vector
    # Normalisation 1 divides by 1 + log(length), as bm25 favours the shorter of two messages.
    return select(_messages.c.id, func.ts_rank(vector, query, 1).cast(Float).label("score")).where(
        vector.op("@@")(query), _messages.c.chat_id.in_(list(chat_ids))
    )


def _escaped(text):
    # ts_headline drops what its parser takes for HTML tags ("<script>"): escape first, so
    # the text comes back whole, and unescape the result.
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = func.replace(text, char, entity)
    return text


async def _postgresql_snippets(
    db: AsyncSession, terms: SearchTerms, ids: Sequence[int]
) -> dict[int, str]:
    headline = func.ts_headline(_CONFIG, _escaped(_messages.c.text), _tsquery(terms), _HEADLINE)
    rows = await db.execute(select(_messages.c.id, headline).where(_messages.c.id.in_(list(ids))))
    return {message_id: html.unescape(marked) for message_id, marked in rows}


@dataclass(frozen=True)
class FullText:
    hits: Callable[[SearchTerms, Sequence[int]], SelectBase]
    snippets: Callable[[AsyncSession, SearchTerms, Sequence[int]], Awaitable[dict[int, str]]]


_BY_DIALECT = {
    "sqlite": FullText(_sqlite_hits, _sqlite_snippets),
    "postgresql": FullText(_postgresql_hits, _postgresql_snippets),
}


def fulltext_for(db: AsyncSession) -> FullText:
    return _BY_DIALECT[db.get_bind().dialect.name]

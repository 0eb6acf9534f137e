"""Full-text search per dialect: SQLite FTS5 and PostgreSQL tsvector (see migration 0003).

Each dialect gives two things: the candidates, the newest matches in some chats as
`(id, score)` with higher scores better; and the snippets of a few messages with the markers of
search.terms around the matches. The user's words reach the database only as quoted strings
of letters and digits, never as query syntax.

Why a cap on candidates: ranking needs each match's row, and the messages of one chat are
spread over the whole table (chats talk at the same time), so ranking every message that holds
a common word costs a page read per message. The newest matches come cheap from the index (or
a backward scan of the primary key) instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from chinwag.chats.models import Chat
from chinwag.db.base import UTCDateTime
from chinwag.db.units import Tx
from chinwag.messages.models import Message
from chinwag.search.terms import MARK_END, MARK_START, SearchTerms
from chinwag.validation import MAX_BIGINT

SNIPPET_WORDS = 24

# The messages table as search reads it (search_vector exists on PostgreSQL only).
MESSAGES = table(
    "messages",
    column("id", BigInteger),
    column("chat_id", BigInteger),
    column("sender_id", BigInteger),
    column("kind", String),
    column("text", Text),
    column("html", Text),
    column("attachment_count", Integer),
    column("created_at", UTCDateTime()),
    column("deleted_at", UTCDateTime()),
    column("search_vector", TSVECTOR),
)
_messages = MESSAGES

# --- SQLite: FTS5 table messages_search(body, chat) -------------------------------------------


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts5_words(terms: SearchTerms) -> str:
    quoted = [_fts5_string(word) for word in terms.words]
    if terms.prefix:
        quoted[-1] += "*"
    # A quoted string of several words is an FTS5 phrase: those words, in order, adjacent.
    quoted += [_fts5_string(" ".join(phrase)) for phrase in terms.phrases]
    return "body : (" + " ".join(quoted) + ")"


def _fts5_match(terms: SearchTerms, chat_ids: Sequence[int]) -> str:
    chats = " OR ".join(f'"c{int(chat_id)}"' for chat_id in chat_ids)
    return f"{_fts5_words(terms)} AND chat : ({chats})"


_fts = table("messages_search", column("rowid", BigInteger))
_fts_table = literal_column("messages_search")


def chats_hold_a_tenth(db: Tx, chat_ids: Sequence[int]) -> bool:
    """Whether these chats hold a tenth or more of all messages (by their seqs)."""
    mine = select(func.coalesce(func.sum(Chat.last_seq), 0)).where(Chat.id.in_(chat_ids))
    everything = select(func.coalesce(func.max(Message.id), 0))
    row = db.execute(select(mine.scalar_subquery(), everything.scalar_subquery())).one()
    return row[0] * 10 >= row[1]


def _sqlite_candidates(
    db: Tx,
    terms: SearchTerms,
    chat_ids: Sequence[int],
    older_than: int | None,
    cap: int,
    where: Sequence[ColumnElement] = (),
) -> list[tuple[int, float]]:
    # Few chats: each is a token of the index's chat column, so the index itself keeps to
    # them (checking each match against messages would cost a lookup per match of a common
    # word). Chats that hold much of the history: that token list grows long (FTS5 weighs
    # every token of a query on every row) while most matches are theirs anyway, so the
    # matches are checked against messages, newest first, until there are enough. Filters
    # (search.filters) are checked against messages too, on the matches only.
    older = MAX_BIGINT if older_than is None else older_than
    # Scored newest first; bm25 is lower for better matches, and the chat column weighs
    # nothing. FTS5 scores only the rows it returns.
    score = -func.bm25(_fts_table, 1.0, 0.0)
    check = list(where)
    if chats_hold_a_tenth(db, chat_ids):
        match = _fts5_words(terms)
        check.append(MESSAGES.c.chat_id.in_(list(chat_ids)))
    else:
        match = _fts5_match(terms, chat_ids)
    query = select(_fts.c.rowid, score).where(
        _fts_table.op("MATCH")(bindparam("match", match)), _fts.c.rowid < older
    )
    if check:
        query = query.join_from(_fts, MESSAGES, MESSAGES.c.id == _fts.c.rowid).where(*check)
    query = query.order_by(_fts.c.rowid.desc()).limit(cap)
    return [(row[0], row[1]) for row in db.execute(query)]


def _sqlite_snippets(db: Tx, terms: SearchTerms, ids: Sequence[int]) -> dict[int, str]:
    rows = db.execute(
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

_CONFIG = cast(literal("chinwag_search"), REGCONFIG)
# ts_headline stops soon after MinWords and counts the entities of the escaped text (below)
# as words: ask for about as many words as FTS5's snippet gives.
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, "
    f"MaxWords={SNIPPET_WORDS + 8}, MinWords={SNIPPET_WORDS}, ShortWord=1"
)


def _tsquote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(terms: SearchTerms):
    quoted = [_tsquote(word) for word in terms.words]
    if terms.prefix:
        quoted[-1] += ":*"
    # <-> : the next word right after (a phrase).
    quoted += ["(" + " <-> ".join(map(_tsquote, phrase)) + ")" for phrase in terms.phrases]
    # to_tsquery still runs each quoted word through the configuration (lower case, unaccent).
    return func.to_tsquery(_CONFIG, bindparam("tsquery", " & ".join(quoted)))


def _postgresql_candidates(
    db: Tx,
    terms: SearchTerms,
    chat_ids: Sequence[int],
    older_than: int | None,
    cap: int,
    where: Sequence[ColumnElement] = (),
) -> list[tuple[int, float]]:
    # Which plan is right depends on how common the words are (a backward scan of the newest
    # messages for a common word, the GIN index for a rare one): plan with the values, every
    # time, not with a generic plan cached for the prepared statement.
    db.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
    query = _tsquery(terms)
    vector = _messages.c.search_vector
    newest = (
        select(_messages.c.id, vector)
        .where(vector.op("@@")(query), _messages.c.chat_id.in_(list(chat_ids)), *where)
        .order_by(_messages.c.id.desc())
        .limit(cap)
    )
    if older_than is not None:
        newest = newest.where(_messages.c.id < older_than)
    newest = newest.subquery()
    # Normalisation 1 divides by 1 + log(length), as bm25 favours the shorter of two messages.
    score = func.ts_rank(newest.c.search_vector, query, 1).cast(Float)
    return [(row[0], row[1]) for row in db.execute(select(newest.c.id, score))]


def _escaped(text):
    # ts_headline drops what its parser takes for HTML tags ("<script>"): escape first, so
    # the text comes back whole, and unescape the result.
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = func.replace(text, char, entity)
    return text


def _postgresql_snippets(db: Tx, terms: SearchTerms, ids: Sequence[int]) -> dict[int, str]:
    headline = func.ts_headline(_CONFIG, _escaped(_messages.c.text), _tsquery(terms), _HEADLINE)
    rows = db.execute(select(_messages.c.id, headline).where(_messages.c.id.in_(list(ids))))
    return {message_id: html.unescape(marked) for message_id, marked in rows}


Candidates = Callable[..., list[tuple[int, float]]]
Snippets = Callable[[Tx, SearchTerms, Sequence[int]], dict[int, str]]


@dataclass(frozen=True)
class FullText:
    # (db, terms, chat_ids, older_than, cap, where) -> [(id, score)]; `where`: clauses on
    # MESSAGES that every candidate must pass too.
    candidates: Candidates
    snippets: Snippets  # (db, terms, ids) -> {id: text with markers}


_BY_DIALECT = {
    "sqlite": FullText(_sqlite_candidates, _sqlite_snippets),
    "postgresql": FullText(_postgresql_candidates, _postgresql_snippets),
}


def fulltext_for(db: Tx) -> FullText:
    return _BY_DIALECT[db.dialect]

"""Searching messages: the caller's chats only, best match first, with marked snippets."""

from __future__ import annotations

from chinwag.accounts.models import User
from chinwag.context import AppContext
from chinwag.db.units import Tx, transactional
from chinwag.membership.store import member_chat, member_chat_ids
from chinwag.messages.models import Message
from chinwag.messages.store import ReadState, read_states
from chinwag.messages.views import message_views
from chinwag.search.filters import SearchScope, refuse_unsupported, search_scope
from chinwag.search.fulltext import FullText, fulltext_for
from chinwag.search.query import SearchQuery, parse_query
from chinwag.search.store import live_messages_by_id, newest_filtered
from chinwag.search.terms import SearchTerms, marked_snippet

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Matches ranked per search, the newest first (see fulltext): a word in thousands of messages
# gives the best of its recent ones; anything more precise is ranked whole.
CANDIDATES = 500


class ReadStates:
    """The read state of each chat a page of hits comes from."""

    def __init__(self, by_chat: dict[int, ReadState]) -> None:
        self._by_chat = by_chat

    def is_read(self, message: Message) -> bool:
        return self._by_chat[message.chat_id].is_read(message)


async def search_messages(
    ctx: AppContext,
    me: User,
    query: str,
    *,
    chat_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    before: int | None = None,
) -> list[dict]:
    """Messages of my chats (or of `chat_id`) that contain every word and phrase of `query`
    and pass its operators (search.query), best match first (ties: newest first), as
    `{chat_id, message, snippet}`. The newest CANDIDATES matches are ranked. A query of
    operators alone lists the messages they pick, newest first.

    `before` is the id of the last hit of the previous page: the answer carries on after it.
    When that message is not among the ranked matches (edited or deleted since, or older), the
    answer ranks the matches older than it instead. A query without any word or operator has
    no hits; InvalidOperator or UnsupportedOperator (422) for an operator it can't search."""
    parsed = parse_query(query)  # 422 before any database work
    refuse_unsupported(parsed)
    # One read unit: the chats, the ranking and the messages come from one snapshot.
    return await ctx.db.read(find_messages, me, parsed, chat_id, limit, before)


@transactional  # the PostgreSQL search plans per query (SET LOCAL)
def find_messages(
    db: Tx, me: User, query: SearchQuery, chat_id: int | None, limit: int, before: int | None
) -> list[dict]:
    """The unit of search_messages (same answer), for callers already inside a unit."""
    chat_ids = _searched_chats(db, me.id, chat_id)
    if not chat_ids or (query.terms is None and not query.has_filters):
        return []
    scope = search_scope(db, me, query, chat_ids)
    if scope is None:
        return []
    fulltext = fulltext_for(db)
    limit = min(limit, MAX_LIMIT)
    if query.terms is None:  # operators alone: newest first
        ranked = newest_filtered(
            db, scope.chat_ids, scope.where, before, limit, by_sender=scope.by_sender
        )
    else:
        ranked = _ranked_ids(db, fulltext, query.terms, scope, limit, before)
    return _hits(db, fulltext, query.terms, ranked) if ranked else []


def _hits(db: Tx, fulltext: FullText, terms: SearchTerms | None, ranked: list[int]) -> list[dict]:
    messages = _messages_in_order(db, ranked)
    ids = [m.id for m in messages]
    snippets = fulltext.snippets(db, terms, ids) if terms is not None else {}
    states = read_states(db, {m.chat_id for m in messages})
    views = message_views(db, messages, ReadStates(states))
    return [
        {
            "chat_id": m.chat_id,
            "message": view,
            "snippet": marked_snippet(snippets.get(m.id), m.text or ""),
        }
        for m, view in zip(messages, views, strict=True)
    ]


def _searched_chats(db: Tx, user_id: int, chat_id: int | None) -> list[int]:
    if chat_id is not None:
        member_chat(db, chat_id, user_id)  # 404 unseen, 403 a public group I'm not in
        return [chat_id]
    return member_chat_ids(db, user_id)


def _ranked_ids(
    db: Tx,
    fulltext: FullText,
    terms: SearchTerms,
    scope: SearchScope,
    limit: int,
    before: int | None,
) -> list[int]:
    chat_ids, where = scope.chat_ids, scope.where
    ranked = _best_first(fulltext.candidates(db, terms, chat_ids, None, CANDIDATES, where))
    if before is not None:
        after = next((n for n, (message_id, _) in enumerate(ranked) if message_id == before), None)
        if after is None:
            # Not a candidate (edited, deleted, out of the newest, or not mine): the matches
            # older than it, so the cursor tells nothing about the message it names.
            found = fulltext.candidates(db, terms, chat_ids, before, CANDIDATES, where)
            ranked = _best_first(found)
        else:
            ranked = ranked[after + 1 :]
    return [message_id for message_id, _ in ranked[:limit]]


def _best_first(candidates: list[tuple[int, float]]) -> list[tuple[int, float]]:
    return sorted(candidates, key=lambda hit: (-hit[1], -hit[0]))


def _messages_in_order(db: Tx, ids: list[int]) -> list[Message]:
    found = live_messages_by_id(db, ids)
    return [found[i] for i in ids if i in found]

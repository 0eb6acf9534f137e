"""Searching messages: the caller's chats only, best match first, with marked snippets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.chats.access import member_chat, member_chat_ids
from chinwag.messages.models import Message
from chinwag.messages.store import ReadState, read_state
from chinwag.messages.views import message_views
from chinwag.search.fulltext import FullText, fulltext_for
from chinwag.search.terms import SearchTerms, marked_snippet, parse_terms

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ReadStates:
    """The read state of each chat a page of hits comes from."""

    def __init__(self, by_chat: dict[int, ReadState]) -> None:
        self._by_chat = by_chat

    def is_read(self, message: Message) -> bool:
        return self._by_chat[message.chat_id].is_read(message)


async def search_messages(
    db: AsyncSession,
    me: User,
    query: str,
    *,
    chat_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    before: int | None = None,
) -> list[dict]:
    """Messages of my chats (or of `chat_id`) that contain every word of `query`, best match
    first (ties: newest first), as `{chat_id, message, snippet}`.

    `before` is the id of the last hit of the previous page: the answer carries on after it.
    When that message is no longer a hit (edited or deleted since), it carries on with the
    hits older than it. A query without any word answers no hits."""
    if chat_id is not None:
        await member_chat(db, chat_id, me.id)  # 404 unseen, 403 a public group I'm not in
        chat_ids = [chat_id]
    else:
        chat_ids = await member_chat_ids(db, me.id)
    terms = parse_terms(query)
    if terms is None or not chat_ids:
        return []
    fulltext = fulltext_for(db)
    ranked = await _ranked_ids(db, fulltext, terms, chat_ids, min(limit, MAX_LIMIT), before)
    if not ranked:
        return []
    messages = await _messages_in_order(db, ranked)
    snippets = await fulltext.snippets(db, terms, [m.id for m in messages])
    states = {cid: await read_state(db, cid) for cid in {m.chat_id for m in messages}}
    views = await message_views(db, messages, ReadStates(states))
    return [
        {
            "chat_id": m.chat_id,
            "message": view,
            "snippet": marked_snippet(snippets.get(m.id), m.text or ""),
        }
        for m, view in zip(messages, views, strict=True)
    ]


async def _ranked_ids(
    db: AsyncSession,
    fulltext: FullText,
    terms: SearchTerms,
    chat_ids: Sequence[int],
    limit: int,
    before: int | None,
) -> list[int]:
    hits = fulltext.hits(terms, chat_ids).cte("hits")
    page = select(hits.c.id)
    if before is not None:
        # Keyset on (score, id), the cursor's score taken in this same query so it compares
        # exactly; a cursor that is not a hit (any more) leaves only `id < before`.
        cursor = select(hits.c.score).where(hits.c.id == before).scalar_subquery()
        page = page.where(
            or_(
                hits.c.score < cursor,
                and_(hits.c.id < before, or_(hits.c.score == cursor, cursor.is_(None))),
            )
        )
    page = page.order_by(hits.c.score.desc(), hits.c.id.desc()).limit(limit)
    return list(await db.scalars(page))


async def _messages_in_order(db: AsyncSession, ids: list[int]) -> list[Message]:
    found = {
        m.id: m
        for m in await db.scalars(
            select(Message).where(Message.id.in_(ids), Message.deleted_at.is_(None))
        )
    }
    return [found[i] for i in ids if i in found]

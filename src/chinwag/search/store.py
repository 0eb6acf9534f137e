"""The SQL of search outside the full-text index (search.fulltext has the dialects' SQL):
the people and chats that operators name, the newest messages that only filters pick, and
loading the messages a page of hits names. The ranking and paging are in search.service."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, func, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat
from chinwag.db.units import Tx
from chinwag.messages.models import Message
from chinwag.search.fulltext import MESSAGES


def live_messages_by_id(db: Tx, ids: Collection[int]) -> dict[int, Message]:
    """Those of the messages `ids` that are not deleted, by id."""
    return {
        m.id: m
        for m in db.scalars(
            select(Message).where(Message.id.in_(list(ids)), Message.deleted_at.is_(None))
        )
    }


def user_ids_by_username(db: Tx, usernames: Collection[str]) -> list[int]:
    """The accounts with these usernames (lower case), through the lowered unique index."""
    return list(db.scalars(select(User.id).where(func.lower(User.username).in_(list(usernames)))))


def chat_names(db: Tx, chat_ids: Collection[int]) -> list[tuple[int, str, str, str | None]]:
    """(id, kind, name, direct_key) of these chats: what in: picks from."""
    rows = db.execute(
        select(Chat.id, Chat.kind, Chat.name, Chat.direct_key).where(Chat.id.in_(list(chat_ids)))
    )
    return [tuple(row) for row in rows]


def newest_filtered(
    db: Tx,
    chat_ids: Sequence[int],
    where: Sequence[ColumnElement],
    older_than: int | None,
    limit: int,
    *,
    by_sender: bool = False,
) -> list[int]:
    """The ids of the newest text messages of these chats that pass `where` (a search without
    words), newest first; with `older_than`, those older than that message. `by_sender`: the
    clauses name senders, read their messages through ix_messages_sender and sort them."""
    m = MESSAGES
    # id + 0 sorts the same but is no index: the planner can't pick the backward scan.
    newest = (m.c.id + 0).desc() if by_sender else m.c.id.desc()
    query = (
        select(m.c.id)
        .where(
            m.c.chat_id.in_(list(chat_ids)),
            m.c.kind == "text",
            m.c.deleted_at.is_(None),
            *where,
        )
        .order_by(newest)
        .limit(limit)
    )
    if older_than is not None:
        query = query.where(m.c.id < older_than)
    return list(db.scalars(query))

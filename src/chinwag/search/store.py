"""The SQL of search outside the full-text index (search.fulltext has the dialects' SQL):
loading the messages a page of hits names. The ranking and paging are in search.service."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from chinwag.db.units import Tx
from chinwag.messages.models import Message


def live_messages_by_id(db: Tx, ids: Collection[int]) -> dict[int, Message]:
    """Those of the messages `ids` that are not deleted, by id."""
    return {
        m.id: m
        for m in db.scalars(
            select(Message).where(Message.id.in_(list(ids)), Message.deleted_at.is_(None))
        )
    }

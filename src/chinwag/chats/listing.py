"""Chats as one user sees them (role, unread, last message, peer), a constant number of
queries for any number of chats.

Each query is built for a scope of chats: the ones given (an `IN` list, for a chat view or
discovery), or every chat I'm in (a subquery on my memberships). The second is the hot one (the
`ready` frame of every socket, GET /api/chats): its statements are prepared once, with my id
as their only parameter, so a user in 100 chats costs no 100-item lists to bind.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import iso
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.files.shapes import avatar_url
from chinwag.messages.mention_store import unread_mentions_query
from chinwag.messages.models import Message
from chinwag.messages.store import COLUMNS, MessageRow
from chinwag.messages.views import load_extras, message_dict

C = Chat.__table__
CM = ChatMembership.__table__
M = Message.__table__
U = User.__table__
ME = bindparam("me")

Scope = Callable  # column -> the condition that keeps the chats in scope

# Every chat I'm in (deleted ones are dropped by the chat list itself).
MY_CHAT_IDS = select(CM.c.chat_id).where(CM.c.user_id == ME).scalar_subquery()


def _mine(column):
    return column.in_(MY_CHAT_IDS)


def _member_counts_query(scope: Scope):
    return select(CM.c.chat_id, func.count()).where(scope(CM.c.chat_id)).group_by(CM.c.chat_id)


def _my_memberships_query(scope: Scope):
    return select(CM.c.chat_id, CM.c.role, CM.c.last_read_seq).where(
        CM.c.user_id == ME, scope(CM.c.chat_id)
    )


def _unread_query(scope: Scope):
    """Others' text messages after my read pointer, deleted ones not counted."""
    return (
        select(M.c.chat_id, func.count())
        .join(CM, and_(CM.c.chat_id == M.c.chat_id, CM.c.user_id == ME))
        .where(scope(M.c.chat_id), M.c.seq > CM.c.last_read_seq)
        .where(M.c.kind == "text", M.c.deleted_at.is_(None))
        .where(or_(M.c.sender_id.is_(None), M.c.sender_id != ME))
        .group_by(M.c.chat_id)
    )


def _last_messages_query(scope: Scope):
    return (
        select(*(M.c[name] for name in COLUMNS))
        .join(C, and_(C.c.id == M.c.chat_id, C.c.last_seq == M.c.seq))
        .where(scope(M.c.chat_id))
    )


def _lowest_receipts_query(scope: Scope):
    """Per chat, the lowest read receipt among everyone but its last message's sender."""
    others = aliased(CM)
    return (
        select(M.c.id, func.min(others.c.read_receipt_seq))
        .join(C, and_(C.c.id == M.c.chat_id, C.c.last_seq == M.c.seq))
        .join(others, others.c.chat_id == M.c.chat_id)
        .where(scope(M.c.chat_id))
        .where(or_(M.c.sender_id.is_(None), others.c.user_id != M.c.sender_id))
        .group_by(M.c.id)
    )


def _peers_query(scope: Scope):
    return (
        select(CM.c.chat_id, U.c.id, U.c.username, U.c.display_name, U.c.avatar_file_id)
        .join(U, U.c.id == CM.c.user_id)
        .join(C, C.c.id == CM.c.chat_id)
        .where(scope(CM.c.chat_id), C.c.kind == "direct", CM.c.user_id != ME)
    )


_MY_CHATS = Prepared(
    select(C)
    .join(CM, CM.c.chat_id == C.c.id)
    .where(CM.c.user_id == ME, C.c.deleted_at.is_(None))
    .order_by(func.coalesce(C.c.last_message_at, C.c.created_at).desc(), C.c.id.desc())
)
QUERIES = {
    "counts": _member_counts_query,
    "mine": _my_memberships_query,
    "unread": _unread_query,
    "mentions": unread_mentions_query,
    "last": _last_messages_query,
    "lowest": _lowest_receipts_query,
    "peers": _peers_query,
}
_PREPARED = {name: Prepared(build(_mine)) for name, build in QUERIES.items()}


class _InList:
    """The same queries for the chats given, run through the connection."""

    def __init__(self, db: Tx, user_id: int, chat_ids: list[int]) -> None:
        self.db, self.user_id = db, user_id
        self.scope = lambda column: column.in_(chat_ids)

    def rows(self, name: str) -> Sequence:
        return self.db.conn.execute(QUERIES[name](self.scope), {"me": self.user_id}).all()


class _AllMine:
    def __init__(self, db: Tx, user_id: int) -> None:
        self.db, self.user_id = db, user_id

    def rows(self, name: str) -> Sequence:
        return _PREPARED[name].all(self.db, me=self.user_id)


def _last_messages(db: Tx, source) -> dict[int, dict]:
    messages = [MessageRow(*row) for row in source.rows("last")]
    if not messages:
        return {}
    low = dict(source.rows("lowest"))
    extras = load_extras(db, messages)
    return {
        m.chat_id: message_dict(m, low.get(m.id) is None or low[m.id] >= m.seq, extras)
        for m in messages
    }


def _peers(source, chats: Sequence) -> dict[int, dict]:
    if not any(c.kind == "direct" for c in chats):
        return {}
    return {
        chat_id: {
            "id": uid,
            "username": username,
            "display_name": display_name,
            "avatar_url": avatar_url(avatar_id),
        }
        for chat_id, uid, username, display_name, avatar_id in source.rows("peers")
    }


def _views(db: Tx, source, chats: Sequence) -> list[dict]:
    if not chats:
        return []
    counts = dict(source.rows("counts"))
    mine = {row[0]: row for row in source.rows("mine")}
    unread = dict(source.rows("unread"))
    mentions = dict(source.rows("mentions"))
    last = _last_messages(db, source)
    peers = _peers(source, chats)
    views = []
    for chat in chats:
        membership = mine.get(chat.id)
        peer = peers.get(chat.id)
        views.append(
            {
                **chat_fields(chat, counts.get(chat.id, 0)),
                "name": peer["display_name"] if peer else chat.name,
                "role": membership[1] if membership else None,
                "last_read_seq": membership[2] if membership else 0,
                "unread": unread.get(chat.id, 0),
                "unread_mentions": mentions.get(chat.id, 0),
                # History needs membership, so its latest line does too.
                "last_message": last.get(chat.id) if membership else None,
                "peer": peer,
            }
        )
    return views


def chat_views(db: Tx, user_id: int, chats: Sequence) -> list[dict]:
    """The API shape (chats.schemas.ChatOut) of each chat, for `user_id`, in the given order."""
    return _views(db, _InList(db, user_id, [c.id for c in chats]), chats)


def chat_fields(chat, member_count: int) -> dict:
    """What every member sees alike (the payload of chat.updated)."""
    return {
        "id": chat.id,
        "kind": chat.kind,
        "name": chat.name,
        "description": chat.description,
        "is_public": chat.is_public,
        "member_count": member_count,
        "last_seq": chat.last_seq,
        "created_at": iso(chat.created_at),
        "created_by": chat.created_by,
    }


def chat_view(db: Tx, user_id: int, chat) -> dict:
    """One chat as `user_id` sees it (see chat_views)."""
    return chat_views(db, user_id, [chat])[0]


def my_chats(db: Tx, user_id: int) -> list[dict]:
    """My chats, latest activity first."""
    chats = [_ChatRow(*row) for row in _MY_CHATS.all(db, me=user_id)]
    return _views(db, _AllMine(db, user_id), chats)


# A chats row read by a prepared statement, its columns as attributes.
_ChatRow = namedtuple("_ChatRow", [column.name for column in C.columns])

"""Chats as one user sees them (role, unread, last message, peer): one statement for any
number of chats, each chat a row, what is counted per chat in correlated subqueries.

The statement is built for a scope of chats: the ones given (a list of ids, for a chat view
or discovery), or every chat I'm in. The second is the hot one (the `ready` frame of every
socket, GET /api/chats): prepared once, with my id as its only parameter. One statement, not
one per part: on PostgreSQL each is a round trip, and a storm of sockets opening pays them all.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, exists, func, or_, select

from chinwag.accounts.models import User
from chinwag.chats.models import GROUP_DM, Chat, ChatMembership
from chinwag.db.base import iso, utcnow
from chinwag.db.prepared import Prepared, PreparedAmong
from chinwag.db.units import Tx
from chinwag.files.shapes import avatar_url
from chinwag.messages.mention_store import unread_mentions_count
from chinwag.messages.models import Message
from chinwag.messages.store import COLUMNS, MessageRow
from chinwag.messages.views import load_extras, message_dict
from chinwag.pins.models import Pin

C = Chat.__table__
CM = ChatMembership.__table__
M = Message.__table__
U = User.__table__
PINS = Pin.__table__
ME = bindparam("me")

MY_MEMBERSHIP = CM.alias("my_membership")
LAST = M.alias("last_message")
PEER_MEMBERSHIP = CM.alias("peer_membership")
PEER = U.alias("peer")
PEER_COLUMNS = ("id", "username", "display_name", "avatar_file_id")


def _member_count():
    counted = CM.alias("counted")
    return select(func.count()).where(counted.c.chat_id == C.c.id).scalar_subquery()


def _unread():
    """Others' messages (texts and emotes) after my read pointer, deleted ones not counted."""
    return (
        select(func.count())
        .select_from(M)
        .where(M.c.chat_id == C.c.id, M.c.seq > MY_MEMBERSHIP.c.last_read_seq)
        .where(M.c.kind != "system", M.c.deleted_at.is_(None))
        .where(or_(M.c.sender_id.is_(None), M.c.sender_id != ME))
        .scalar_subquery()
    )


def _lowest_receipt():
    """The lowest read receipt among everyone but the last message's sender."""
    others = CM.alias("others")
    return (
        select(func.min(others.c.read_receipt_seq))
        .where(others.c.chat_id == C.c.id)
        .where(or_(LAST.c.sender_id.is_(None), others.c.user_id != LAST.c.sender_id))
        .scalar_subquery()
    )


def _chats_query(mine_only: bool):
    """A row per chat: the chat, my membership (none if I'm not in it), its counts, its last
    message and that message's lowest receipt, and for a direct chat the other person."""
    chats = (
        C.join(
            MY_MEMBERSHIP,
            and_(MY_MEMBERSHIP.c.chat_id == C.c.id, MY_MEMBERSHIP.c.user_id == ME),
            isouter=not mine_only,
        )
        .outerjoin(LAST, and_(LAST.c.chat_id == C.c.id, LAST.c.seq == C.c.last_seq))
        .outerjoin(
            PEER_MEMBERSHIP,
            and_(
                PEER_MEMBERSHIP.c.chat_id == C.c.id,
                C.c.kind == "direct",
                PEER_MEMBERSHIP.c.user_id != ME,
            ),
        )
        .outerjoin(PEER, PEER.c.id == PEER_MEMBERSHIP.c.user_id)
    )
    return select(
        *C.columns,
        MY_MEMBERSHIP.c.role.label("my_role"),
        MY_MEMBERSHIP.c.last_read_seq.label("my_last_read_seq"),
        MY_MEMBERSHIP.c.muted.label("my_muted"),
        MY_MEMBERSHIP.c.muted_until.label("my_muted_until"),
        _member_count().label("member_count"),
        _unread().label("unread"),
        unread_mentions_count(C.c.id, MY_MEMBERSHIP.c.last_read_seq).label("unread_mentions"),
        _lowest_receipt().label("lowest_receipt"),
        *(LAST.c[name].label(f"message_{name}") for name in COLUMNS),
        # read here, so the views need no query of the pins (ready, the chat list)
        exists().where(PINS.c.message_id == LAST.c.id).label("message_pinned"),
        *(PEER.c[name].label(f"peer_{name}") for name in PEER_COLUMNS),
    ).select_from(chats)


_MY_CHATS = Prepared(
    _chats_query(mine_only=True)
    .where(C.c.deleted_at.is_(None))
    .order_by(func.coalesce(C.c.last_message_at, C.c.created_at).desc(), C.c.id.desc())
)
_THESE_CHATS = PreparedAmong(lambda among: _chats_query(mine_only=False).where(among(C.c.id)))
_ChatRow = namedtuple("_ChatRow", [column.key for column in _MY_CHATS.statement.selected_columns])


def _last_message(row) -> MessageRow | None:
    if row.message_id is None:
        return None
    return MessageRow(
        *(getattr(row, f"message_{name}") for name in COLUMNS), pinned=bool(row.message_pinned)
    )


def _peer(row) -> dict | None:
    if row.peer_id is None:
        return None
    return _person(row.peer_id, row.peer_username, row.peer_display_name, row.peer_avatar_file_id)


def _person(user_id, username, display_name, avatar_file_id) -> dict:
    return {
        "id": user_id,
        "username": username,
        "display_name": display_name,
        "avatar_url": avatar_url(avatar_file_id),
    }


def _group_dm_members(db: Tx, chats: Sequence) -> dict[int, list[dict]]:
    """The people of each group direct message among `chats` (by chat id), in one query
    asked only when there is one: most chat lists hold none."""
    chat_ids = [chat.id for chat in chats if chat.kind == GROUP_DM]
    if not chat_ids:
        return {}
    rows = db.execute(
        select(CM.c.chat_id, U.c.id, U.c.username, U.c.display_name, U.c.avatar_file_id)
        .join(U, U.c.id == CM.c.user_id)
        .where(CM.c.chat_id.in_(chat_ids))
        .order_by(CM.c.chat_id, U.c.id)
    )
    members: dict[int, list[dict]] = {chat_id: [] for chat_id in chat_ids}
    for chat_id, *person in rows:
        members[chat_id].append(_person(*person))
    return members


def group_dm_name(members: list[dict], user_id: int) -> str:
    """A group direct message is named by its people, the viewer left out: "Ana, Bo"."""
    names = [m["display_name"] or m["username"] for m in members if m["id"] != user_id]
    return ", ".join(sorted(names, key=str.casefold))


def _name(chat, peer: dict | None, members: list[dict] | None, user_id: int) -> str:
    if peer:
        return peer["display_name"]
    if members is not None:
        return group_dm_name(members, user_id)
    return chat.name


def _muted_until(until, now) -> str | None:
    """A group admin's mute of me while it holds (one that ended reads as none)."""
    return iso(until) if until is not None and until > now else None


def _views(db: Tx, user_id: int, chats: Sequence, rows: dict[int, tuple]) -> list[dict]:
    """Each of `chats` (their fields as given), with what `rows` (by chat id) say of it."""
    last = {chat_id: _last_message(row) for chat_id, row in rows.items()}
    group_members = _group_dm_members(db, chats)
    extras = load_extras(db, [m for m in last.values() if m is not None])
    views = []
    now = utcnow()
    for chat in chats:
        row = rows[chat.id]
        peer = _peer(row)
        members = group_members.get(chat.id)
        member = row.my_role is not None
        # History needs membership, so its latest line does too.
        message, last_message = last[chat.id], None
        if message is not None and member:
            lowest = row.lowest_receipt
            last_message = message_dict(message, lowest is None or lowest >= message.seq, extras)
        views.append(
            {
                **chat_fields(chat, row.member_count),
                "name": _name(chat, peer, members, user_id),
                "role": row.my_role,
                "last_read_seq": row.my_last_read_seq if member else 0,
                "unread": row.unread,
                "unread_mentions": row.unread_mentions,
                "muted": bool(row.my_muted) if member else False,
                "muted_until": _muted_until(row.my_muted_until, now),
                "last_message": last_message,
                "peer": peer,
                "members": members,
            }
        )
    return views


def chat_views(db: Tx, user_id: int, chats: Sequence) -> list[dict]:
    """The API shape (chats.schemas.ChatOut) of each chat, for `user_id`, in the given order."""
    if not chats:
        return []
    rows = _THESE_CHATS.all(db, [c.id for c in chats], me=user_id)
    return _views(db, user_id, chats, {row.id: row for row in rows})


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
        "retention_days": chat.retention_days,
        "slow_mode_seconds": chat.slow_mode_seconds,
    }


def chat_view(db: Tx, user_id: int, chat) -> dict:
    """One chat as `user_id` sees it (see chat_views)."""
    return chat_views(db, user_id, [chat])[0]


def my_chats(db: Tx, user_id: int) -> list[dict]:
    """My chats, latest activity first."""
    rows = [_ChatRow(*row) for row in _MY_CHATS.all(db, me=user_id)]
    return _views(db, user_id, rows, {row.id: row for row in rows})

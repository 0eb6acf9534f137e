"""The SQL of messages: per-chat seq allocation, the send unit, history pages and the
read-state needed to show them. Hot statements are prepared once (chinwag.db.prepared).

Shared by the chats service (system messages) and the messages service (user messages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import utcnow
from chinwag.db.prepared import Prepared, PreparedAmong
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.files.shapes import file_dict
from chinwag.membership.access import check_may_post, slowed
from chinwag.membership.store import lock_chat
from chinwag.messages.models import Message, Reaction
from chinwag.messages.rendering import render_plain
from chinwag.pins.models import Pin

M = Message.__table__
C = Chat.__table__
CM = ChatMembership.__table__

# The columns of a message row, in the order MessageRow takes them.
COLUMNS = (
    *("id", "chat_id", "seq", "sender_id", "kind", "text", "html", "mentions"),
    *("attachment_count", "reaction_count", "client_id", "reply_to_id"),
    *("created_at", "edited_at", "deleted_at"),
)


@dataclass(slots=True)
class MessageRow:
    """A message as read by a prepared statement: the attributes of messages.models.Message,
    without the ORM's instrumentation (a history page builds 50 of them)."""

    id: int
    chat_id: int
    seq: int
    sender_id: int | None
    kind: str
    text: str | None
    html: str | None
    mentions: list | None
    attachment_count: int
    reaction_count: int
    client_id: str | None
    reply_to_id: int | None
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    # Read with history's pages (one EXISTS on the pins' key); None where unread, which
    # messages.views then looks up.
    pinned: bool | None = None


_ROW = [M.c[name] for name in COLUMNS]
P = Pin.__table__
_PINNED = exists().where(P.c.message_id == M.c.id).label("pinned")

_NEXT_SEQ = Prepared(
    update(C)
    .where(C.c.id == bindparam("chat_id"))
    .values(last_seq=C.c.last_seq + 1, last_message_at=bindparam("now"))
    .returning(C.c.last_seq)
)
_INSERT = Prepared(
    M.insert()
    .values({name: bindparam(name) for name in COLUMNS if name not in ("id", "edited_at")})
    .returning(M.c.id)
)
_SENDER_READS = Prepared(
    update(CM)
    .where(CM.c.chat_id == bindparam("chat_id"), CM.c.user_id == bindparam("user_id"))
    .values(
        last_read_seq=bindparam("seq"),
        read_receipt_seq=bindparam("seq"),
        last_sent_at=bindparam("now"),
    )
)
_mine = aliased(CM)
_MEMBER_ACCESS = Prepared(
    select(
        C.c.is_public,
        _mine.c.user_id,
        exists().where(CM.c.chat_id == C.c.id, CM.c.user_id != bindparam("user_id")),
        # what check_may_post needs: read with the membership the check reads anyway (the
        # last send's time only in slow mode: a datetime parsed per send costs otherwise)
        _mine.c.role,
        _mine.c.muted_until,
        C.c.slow_mode_seconds,
        case((C.c.slow_mode_seconds > 0, _mine.c.last_sent_at), else_=None),
    )
    .select_from(C)
    .outerjoin(_mine, and_(_mine.c.chat_id == C.c.id, _mine.c.user_id == bindparam("user_id")))
    .where(C.c.id == bindparam("chat_id"), C.c.deleted_at.is_(None))
)
_LOWEST_TWO = Prepared(
    select(CM.c.user_id, CM.c.read_receipt_seq)
    .where(CM.c.chat_id == bindparam("chat_id"))
    .order_by(CM.c.read_receipt_seq)
    .limit(2)  # all ReadState needs, however big the group
)
_EARLIER = Prepared(
    select(*_ROW).where(
        M.c.sender_id == bindparam("sender_id"), M.c.client_id == bindparam("client_id")
    )
)
_BY_ID = Prepared(select(*_ROW).where(M.c.id == bindparam("id")))


def _pg_send(checked: bool) -> Prepared:
    """PostgreSQL only (data-modifying CTEs): seq, insert and the sender's read pointer in one
    statement; `checked` also makes it store nothing unless the sender is a member of the
    (not deleted) chat, and answer whether anyone else is in it."""
    me, others = aliased(CM), aliased(CM)
    access = (
        select(
            exists()
            .where(others.c.chat_id == C.c.id, others.c.user_id != bindparam("sender_id"))
            .label("others")
        )
        .select_from(C)
        .join(me, and_(me.c.chat_id == C.c.id, me.c.user_id == bindparam("sender_id")))
        .where(C.c.id == bindparam("chat_id"), C.c.deleted_at.is_(None))
        # Muted, or held back by slow mode: store nothing; send_plain then says why, or
        # (slow mode, the wait over) sends the careful way.
        .where(or_(me.c.muted_until.is_(None), me.c.muted_until <= bindparam("now")))
        .where(or_(C.c.slow_mode_seconds == 0, me.c.role != "member"))  # as access.slowed
        .cte("access")
    )
    new_seq = (
        update(C)
        .where(C.c.id == bindparam("chat_id"), *([select(access).exists()] if checked else []))
        .values(last_seq=C.c.last_seq + 1, last_message_at=bindparam("now"))
        .returning(C.c.last_seq)
        .cte("new_seq")
    )
    stored = [name for name in COLUMNS if name not in ("id", "edited_at")]
    new_message = (
        M.insert()
        .from_select(
            stored,
            select(
                *(
                    new_seq.c.last_seq if name == "seq" else bindparam(name, type_=M.c[name].type)
                    for name in stored
                )
            ),
        )
        .returning(M.c.id, M.c.seq)
        .cte("new_message")
    )
    sender_has_read = (
        update(CM)
        .where(CM.c.chat_id == bindparam("chat_id"), CM.c.user_id == bindparam("sender_id"))
        .where(select(new_message).exists())  # it runs even when nothing was stored
        .values(
            last_read_seq=select(new_message.c.seq).scalar_subquery(),
            read_receipt_seq=select(new_message.c.seq).scalar_subquery(),
            last_sent_at=bindparam("now"),
        )
        .cte("sender_has_read")
    )
    answer = [new_message.c.id, new_message.c.seq]
    if checked:
        answer.append(select(access.c.others).scalar_subquery())
    return Prepared(select(*answer).add_cte(new_seq, sender_has_read))


_SEND_PG = _pg_send(checked=False)
_SEND_PG_CHECKED = _pg_send(checked=True)


def _page(where, newest_first: bool) -> Prepared:
    order = M.c.seq.desc() if newest_first else M.c.seq
    return Prepared(
        select(*_ROW, _PINNED)
        .where(M.c.chat_id == bindparam("chat_id"), *where)
        .order_by(order)
        .limit(bindparam("limit"))
    )


_AFTER = M.c.seq > bindparam("after")
_BEFORE = M.c.seq < bindparam("before")
# (after given, before given) -> the page statement
_PAGES = {
    (False, False): _page([], True),
    (False, True): _page([_BEFORE], True),
    (True, False): _page([_AFTER], False),
    (True, True): _page([_AFTER, _BEFORE], False),
}


def _access(db: Tx, chat_id: int, user_id: int) -> tuple:
    row = _MEMBER_ACCESS.one(db, chat_id=chat_id, user_id=user_id)
    if row is None or (row[1] is None and not row[0]):
        raise NotFound("No such chat")
    if row[1] is None:
        raise Forbidden("Join this group first", code="not_a_member")
    return row


def member_access(db: Tx, chat_id: int, user_id: int) -> bool:
    """The checks of membership.store.member_chat (404 unseen, 403 a public group I'm not in) in
    one prepared query, for the hot paths (send, history); answers whether anyone else is in
    the chat."""
    return bool(_access(db, chat_id, user_id)[2])


def posting_access(db: Tx, chat_id: int, user_id: int) -> bool:
    """member_access for a send: also refuses a muted member (403 `muted`) and one slow mode
    holds back (429 `slow_mode`), from the same query. Answers whether anyone else is in the
    chat."""
    _, _, others, role, muted_until, interval, last_sent_at = _access(db, chat_id, user_id)
    if slowed(role, interval) and db.dialect == "postgresql":
        # The member's previous send may be committing on another process: the chat's row
        # lock (which that send holds until its commit) orders the two, and a statement after
        # it sees the one before (READ COMMITTED). SQLite's write lock already does this.
        lock_chat(db, chat_id)
        _, _, others, role, muted_until, interval, last_sent_at = _access(db, chat_id, user_id)
    check_may_post(role, muted_until, interval, last_sent_at, utcnow())
    return bool(others)


def allocate_seq(db: Tx, chat_id: int, now: datetime) -> int:
    """The chat's next seq. The UPDATE locks the chat row until commit (PostgreSQL) or runs
    under the write lock (SQLite), so concurrent sends get consecutive seqs, and a rolled-back
    send gives its seq back: no gap, no duplicate."""
    return _NEXT_SEQ.scalar(db, chat_id=chat_id, now=now)


def _row_values(chat_id, sender_id, text, kind, client_id, reply_to_id, html, mentions, files):
    return {
        "chat_id": chat_id,
        "seq": 0,
        "sender_id": sender_id,
        "kind": kind,
        "text": text,
        "html": html if html is not None else render_plain(text),
        "mentions": mentions or [],
        "attachment_count": files,
        "reaction_count": 0,
        "client_id": client_id,
        "reply_to_id": reply_to_id,
        "created_at": utcnow(),
        "deleted_at": None,
    }


def insert_message(
    db: Tx,
    chat_id: int,
    sender_id: int | None,
    text: str,
    *,
    kind: str = "text",
    client_id: str | None = None,
    reply_to_id: int | None = None,
    html: str | None = None,
    mentions: list[int] | None = None,
    attachment_count: int = 0,
    sender_reads: bool = False,
) -> MessageRow:
    """Insert with the chat's next seq (not committed here); `sender_reads` moves the
    sender's read pointer to it too (sending reads everything before it)."""
    values = _row_values(
        chat_id, sender_id, text, kind, client_id, reply_to_id, html, mentions, attachment_count
    )
    now = values["created_at"]
    if sender_reads and db.dialect == "postgresql":
        # One round trip instead of three: PostgreSQL runs them as one statement.
        values["id"], values["seq"] = _SEND_PG.one(db, now=now, **values)
    else:
        values["seq"] = allocate_seq(db, chat_id, now)
        values["id"] = _INSERT.scalar(db, **values)
        if sender_reads:
            _SENDER_READS.execute(
                db, chat_id=chat_id, user_id=sender_id, seq=values["seq"], now=now
            )
    return MessageRow(edited_at=None, **values)


def send_plain(
    db: Tx, chat_id: int, sender_id: int, text: str, html: str, client_id: str | None
) -> tuple[MessageRow, bool]:
    """A message without mentions, reply or files, checked (as posting_access) and stored
    with the sender's read pointer; answers it and whether anyone else is in the chat. On
    PostgreSQL the check rides in the same statement: one round trip per send (in a group
    without slow mode, from a member who isn't muted)."""
    if db.dialect != "postgresql":
        anyone_else = posting_access(db, chat_id, sender_id)
        message = insert_message(
            db, chat_id, sender_id, text, client_id=client_id, html=html, sender_reads=True
        )
        return message, anyone_else
    values = _row_values(chat_id, sender_id, text, "text", client_id, None, html, None, 0)
    row = _SEND_PG_CHECKED.one(db, now=values["created_at"], **values)
    if row is None:  # stored nothing: say why, or (slow mode, the wait over) send after all
        anyone_else = posting_access(db, chat_id, sender_id)
        message = insert_message(
            db, chat_id, sender_id, text, client_id=client_id, html=html, sender_reads=True
        )
        return message, anyone_else
    values["id"], values["seq"], anyone_else = row
    return MessageRow(edited_at=None, **values), bool(anyone_else)


def post_system_message(db: Tx, chat_id: int, text: str) -> MessageRow:
    """A line such as "ana joined" in the chat's history (not committed here)."""
    return insert_message(db, chat_id, None, text, kind="system")


def earlier_send(db: Tx, sender_id: int, client_id: str) -> MessageRow | None:
    row = _EARLIER.one(db, sender_id=sender_id, client_id=client_id)
    return MessageRow(*row) if row else None


def message_by_id(db: Tx, message_id: int) -> MessageRow | None:
    row = _BY_ID.one(db, id=message_id)
    return MessageRow(*row) if row else None


def page(
    db: Tx, chat_id: int, limit: int, before: int | None, after: int | None
) -> list[MessageRow]:
    """Up to `limit` messages ascending by seq: after `after` and/or before `before`, else
    the latest."""
    statement = _PAGES[after is not None, before is not None]
    params = {"chat_id": chat_id, "limit": limit}
    if after is not None:
        params["after"] = after
    if before is not None:
        params["before"] = before
    rows = [MessageRow(*row) for row in statement.all(db, **params)]
    if after is None:
        rows.reverse()
    return rows


def page_at_offset(db: Tx, chat_id: int, limit: int, offset: int) -> list[MessageRow]:
    rows = db.execute(
        select(*_ROW, _PINNED)
        .where(M.c.chat_id == chat_id)
        .order_by(M.c.seq)
        .offset(offset)
        .limit(limit)
    )
    return [MessageRow(*row) for row in rows]


class ReadState:
    """Whether messages of one chat are read: every member other than the sender has read up
    to them. Only the two lowest read pointers matter, so each answer is O(1)."""

    __slots__ = ("_lowest",)

    def __init__(self, pointers: dict[int, int]) -> None:
        self._lowest = sorted(pointers.items(), key=lambda item: item[1])[:2]

    def is_read(self, message) -> bool:
        for user_id, seq in self._lowest:
            if user_id != message.sender_id:
                return seq >= message.seq
        return True


def read_state(db: Tx, chat_id: int) -> ReadState:
    return ReadState(dict(_LOWEST_TWO.all(db, chat_id=chat_id)))


def read_states(db: Tx, chat_ids: Collection[int]) -> dict[int, ReadState]:
    """read_state of several chats in one query (a page of search hits spans many chats)."""
    lowest = (
        select(
            CM.c.chat_id,
            CM.c.user_id,
            CM.c.read_receipt_seq,
            func.row_number()
            .over(partition_by=CM.c.chat_id, order_by=CM.c.read_receipt_seq)
            .label("rank"),
        )
        .where(CM.c.chat_id.in_(list(chat_ids)))
        .subquery()
    )
    rows = db.execute(
        select(lowest.c.chat_id, lowest.c.user_id, lowest.c.read_receipt_seq).where(
            lowest.c.rank <= 2
        )
    )
    pointers: dict[int, dict[int, int]] = {chat_id: {} for chat_id in chat_ids}
    for chat_id, user_id, seq in rows:
        pointers[chat_id][user_id] = seq
    return {chat_id: ReadState(found) for chat_id, found in pointers.items()}


_FILES = StoredFile.__table__
_ATTACHED = MessageAttachment.__table__
_R = Reaction.__table__
# Built once with expanding IN lists (a page's ids): only the binding happens per call.
_ATTACHMENTS_OF = PreparedAmong(
    lambda among: (
        select(_ATTACHED.c.message_id, _FILES)
        .join(_FILES, _FILES.c.id == _ATTACHED.c.file_id)
        .where(among(_ATTACHED.c.message_id))
        .order_by(_ATTACHED.c.message_id, _ATTACHED.c.position)
    )
)
_REACTIONS_OF = PreparedAmong(
    lambda among: (
        select(_R.c.message_id, _R.c.emoji, _R.c.user_id)
        .where(among(_R.c.message_id))
        .order_by(_R.c.message_id, _R.c.created_at, _R.c.user_id)
    )
)
_REPLY_TARGETS = PreparedAmong(
    lambda among: select(M.c.id, M.c.seq, M.c.sender_id, M.c.text).where(among(M.c.id))
)


def reply_targets(db: Tx, ids: Collection[int]) -> dict[int, tuple]:
    """(id, seq, sender_id, text) of quoted messages."""
    return {row.id: row for row in _REPLY_TARGETS.all(db, ids)}


def attachments_of(db: Tx, message_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    for row in _ATTACHMENTS_OF.all(db, message_ids):
        found[row.message_id].append(file_dict(row))
    return dict(found)


def reactions_of(db: Tx, message_ids: list[int]) -> dict[int, list[dict]]:
    """`[{emoji, count, user_ids}]` per message, emoji in the order they were first used."""
    grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for message_id, emoji, user_id in _REACTIONS_OF.all(db, message_ids):
        grouped[message_id].setdefault(emoji, []).append(user_id)
    return {
        message_id: [
            {"emoji": emoji, "count": len(users), "user_ids": users}
            for emoji, users in by_emoji.items()
        ]
        for message_id, by_emoji in grouped.items()
    }

"""The SQL of notifications: who a new message should reach away from the app, the devices
subscribed to push, and the missed-message queue (queued, claimed once, read back as a
digest). Statements are built once; each function is (part of) one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, exists, insert, or_, select, update

from chinwag.accounts.models import Session, User
from chinwag.chats.models import DIRECT_KINDS, Chat, ChatMembership
from chinwag.db.prepared import Prepared, PreparedAmong
from chinwag.db.units import Tx
from chinwag.messages.models import Message
from chinwag.notifications.models import MissedMessage, PushSubscription

C, CM, U, M = Chat.__table__, ChatMembership.__table__, User.__table__, Message.__table__
S = Session.__table__
PS, MM = PushSubscription.__table__, MissedMessage.__table__

_CHAT_KIND = Prepared(select(C.c.kind).where(C.c.id == bindparam("chat_id")))

# Members to reach: not the sender, not muted, active; everyone in a direct chat (or a group
# direct message), the named ones in a group.
_TARGETS = PreparedAmong(
    lambda among: (
        select(CM.c.user_id, U.c.email_missed_messages)
        .join(C, C.c.id == CM.c.chat_id)
        .join(U, U.c.id == CM.c.user_id)
        .where(
            CM.c.chat_id == bindparam("chat_id"),
            CM.c.user_id != bindparam("sender_id"),
            CM.c.muted.is_(False),
            U.c.is_active.is_(True),
            # not kind IN (...): a prepared statement takes no expanding parameter
            or_(*(C.c.kind == kind for kind in DIRECT_KINDS), among(CM.c.user_id)),
        )
    )
)
_NAMES = Prepared(
    select(C.c.kind, C.c.name, U.c.username, U.c.display_name)
    .select_from(C)
    .join(U, U.c.id == bindparam("sender_id"))
    .where(C.c.id == bindparam("chat_id"))
)
# Only devices still signed in: a revoked or expired session's device gets no message text.
_SUBSCRIPTIONS = PreparedAmong(
    lambda among: (
        select(PS.c.endpoint, PS.c.p256dh, PS.c.auth)
        .join(S, S.c.id == PS.c.session_id)
        .where(among(PS.c.user_id), S.c.revoked_at.is_(None), S.c.expires_at > bindparam("now"))
    )
)


@dataclass(frozen=True, slots=True)
class Target:
    user_id: int
    email: bool  # wants missed-message email


@dataclass(frozen=True, slots=True)
class Names:
    chat_kind: str
    chat_name: str
    sender_username: str
    sender_display_name: str


def chat_kind(db: Tx, chat_id: int) -> str | None:
    row = _CHAT_KIND.one(db, chat_id=chat_id)
    return row[0] if row else None


def targets(db: Tx, chat_id: int, sender_id: int, mentioned: list[int]) -> list[Target]:
    rows = _TARGETS.all(db, mentioned, chat_id=chat_id, sender_id=sender_id)
    return [Target(row.user_id, bool(row.email_missed_messages)) for row in rows]


def names(db: Tx, chat_id: int, sender_id: int) -> Names | None:
    row = _NAMES.one(db, chat_id=chat_id, sender_id=sender_id)
    return Names(*row) if row else None


def subscriptions_of(db: Tx, user_ids: list[int], now: datetime) -> list:
    return _SUBSCRIPTIONS.all(db, user_ids, now=now)


def queue_missed(db: Tx, rows: list[dict]) -> None:
    """rows: user_id, chat_id, message_id, seq, due_at."""
    db.conn.execute(insert(MM), rows)


# The rows of every conversation (person, chat) whose oldest queued message is due. Deleting
# is the claim: of two processes, the second finds the rows gone (PostgreSQL re-checks a row
# the first one locked once that one commits; SQLite has one writer).
_DUE = MM.alias("due")
_CLAIM_DUE = (
    delete(MM)
    .where(
        exists().where(
            _DUE.c.user_id == MM.c.user_id,
            _DUE.c.chat_id == MM.c.chat_id,
            _DUE.c.due_at <= bindparam("now"),
        )
    )
    .returning(MM.c.user_id, MM.c.chat_id, MM.c.message_id)
)


def claim_due(db: Tx, now: datetime) -> dict[tuple[int, int], list[int]]:
    """Take every due conversation off the queue: (user_id, chat_id) -> message ids."""
    claimed: dict[tuple[int, int], list[int]] = {}
    for user_id, chat_id, message_id in db.conn.execute(_CLAIM_DUE, {"now": now}):
        claimed.setdefault((user_id, chat_id), []).append(message_id)
    return claimed


@dataclass(frozen=True, slots=True)
class Digest:
    """One conversation's unread messages for one person, as their email shows them."""

    user_id: int
    email: str
    display_name: str
    chat_id: int
    chat_kind: str
    chat_name: str
    messages: list[tuple[str, str, datetime]]  # sender's name, text, when


def digest(db: Tx, user_id: int, chat_id: int, message_ids: list[int]) -> Digest | None:
    """What is still unread among these messages, if the person still wants the mail and is
    still in the chat (not muted); else None."""
    person = db.conn.execute(
        select(U.c.email, U.c.display_name, U.c.username, C.c.kind, C.c.name, CM.c.last_read_seq)
        .select_from(CM)
        .join(U, U.c.id == CM.c.user_id)
        .join(C, C.c.id == CM.c.chat_id)
        .where(
            CM.c.chat_id == chat_id,
            CM.c.user_id == user_id,
            CM.c.muted.is_(False),
            U.c.is_active.is_(True),
            U.c.email_missed_messages.is_(True),
            C.c.deleted_at.is_(None),
        )
    ).first()
    if person is None:
        return None
    email, display_name, username, kind, name, last_read = person
    rows = db.conn.execute(
        select(U.c.display_name, U.c.username, M.c.text, M.c.created_at)
        .select_from(M)
        .join(U, U.c.id == M.c.sender_id)
        .where(
            M.c.id.in_(message_ids),
            M.c.seq > last_read,
            M.c.deleted_at.is_(None),
        )
        .order_by(M.c.seq)
    ).all()
    if not rows:
        return None
    messages = [(shown or login, text or "", at) for shown, login, text, at in rows]
    return Digest(user_id, email, display_name or username, chat_id, kind, name, messages)


def save_subscription(
    db: Tx, user_id: int, session_id: str, endpoint: str, p256dh: str, auth: str
) -> None:
    """One row per endpoint: a browser that subscribes again replaces its keys (and owner)."""
    db.conn.execute(delete(PS).where(PS.c.endpoint == endpoint))
    db.conn.execute(
        insert(PS).values(
            user_id=user_id, session_id=session_id, endpoint=endpoint, p256dh=p256dh, auth=auth
        )
    )


def delete_subscription(db: Tx, user_id: int, endpoint: str) -> bool:
    result = db.conn.execute(
        delete(PS).where(and_(PS.c.user_id == user_id, PS.c.endpoint == endpoint))
    )
    return result.rowcount > 0


def drop_endpoints(db: Tx, endpoints: list[str]) -> None:
    """Subscriptions the push service said are gone (404/410)."""
    db.conn.execute(delete(PS).where(PS.c.endpoint.in_(endpoints)))


def unsubscribe_email(db: Tx, user_id: int) -> None:
    db.conn.execute(update(U).where(U.c.id == user_id).values(email_missed_messages=False))

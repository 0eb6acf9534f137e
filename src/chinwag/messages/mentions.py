"""Mentions: which `@names` of a message are members of its chat, stored for unread counts
and notifications."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, insert, select

from chinwag.accounts.models import User
from chinwag.chats.access import RANK
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.messages.models import Mention, Message
from chinwag.messages.rendering import EVERYONE

# Above this many members, only admins may notify everyone with @all.
EVERYONE_OPEN_UP_TO = 50
FEW_NAMES = 4

_NAMED_MEMBER = Prepared(
    select(User.__table__.c.id)
    .join(ChatMembership.__table__, ChatMembership.__table__.c.user_id == User.__table__.c.id)
    .where(
        ChatMembership.__table__.c.chat_id == bindparam("chat_id"),
        func.lower(User.__table__.c.username) == bindparam("name"),
    )
)


@dataclass
class Mentioned:
    """Names to highlight (lower-cased name -> user id) and who gets notified."""

    names: dict[str, int] = field(default_factory=dict)
    user_ids: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.user_ids)


def resolve_mentions(db: Tx, chat_id: int, sender_id: int, names: set[str]) -> Mentioned:
    """Members named in `names`; `all` names every member of a group, when the sender may
    (anyone up to EVERYONE_OPEN_UP_TO members, above that admins only). The sender is never
    notified of their own message."""
    found = Mentioned()
    people = names - {EVERYONE}
    if len(people) <= FEW_NAMES:  # the usual case: a prepared lookup per name
        for name in people:
            row = _NAMED_MEMBER.one(db, chat_id=chat_id, name=name)
            if row is not None:
                found.names[name] = row[0]
    else:
        rows = db.conn.execute(
            select(func.lower(User.username), User.id)
            .join(ChatMembership, ChatMembership.user_id == User.id)
            .where(ChatMembership.chat_id == chat_id, func.lower(User.username).in_(people))
        )
        found.names = dict(rows.all())
    if EVERYONE in names and _may_mention_everyone(db, chat_id, sender_id):
        found.names[EVERYONE] = 0  # highlighted, but names nobody in particular
        everyone = db.scalars(
            select(ChatMembership.user_id).where(ChatMembership.chat_id == chat_id)
        )
        found.user_ids = sorted(set(everyone) - {sender_id})
    else:
        found.user_ids = sorted(set(found.names.values()) - {sender_id, 0})
    return found


def _may_mention_everyone(db: Tx, chat_id: int, sender_id: int) -> bool:
    row = (
        db.execute(
            select(Chat.kind, ChatMembership.role)
            .join(ChatMembership, ChatMembership.chat_id == Chat.id)
            .where(Chat.id == chat_id, ChatMembership.user_id == sender_id)
        )
    ).one_or_none()
    if row is None or row.kind != "group":
        return False
    if RANK[row.role] >= RANK["admin"]:
        return True
    members = db.scalar(
        select(func.count()).select_from(ChatMembership).where(ChatMembership.chat_id == chat_id)
    )
    return members <= EVERYONE_OPEN_UP_TO


def store_mentions(db: Tx, message, user_ids: list[int], *, replace: bool = True) -> None:
    """Store the message's mentions, replacing those it had (a new message has none)."""
    if replace:
        db.conn.execute(delete(Mention).where(Mention.message_id == message.id))
    if user_ids:
        db.conn.execute(
            insert(Mention),
            [
                {"message_id": message.id, "user_id": uid, "chat_id": message.chat_id,
                 "seq": message.seq}
                for uid in user_ids
            ],
        )  # fmt: skip


def unread_mentions_query(scope):
    """Messages mentioning me (bound as `me`) after my read pointer, per chat of `scope`
    (a column -> condition), deleted ones not counted."""
    me = bindparam("me")
    mention = Mention.__table__
    membership = ChatMembership.__table__
    return (
        select(mention.c.chat_id, func.count())
        .join(
            membership,
            (membership.c.chat_id == mention.c.chat_id) & (membership.c.user_id == me),
        )
        .join(Message.__table__, Message.__table__.c.id == mention.c.message_id)
        .where(
            mention.c.user_id == me,
            scope(mention.c.chat_id),
            mention.c.seq > membership.c.last_read_seq,
            Message.__table__.c.deleted_at.is_(None),
        )
        .group_by(mention.c.chat_id)
    )

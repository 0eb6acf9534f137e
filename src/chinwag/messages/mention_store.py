"""The SQL of mentions: finding the members a message names, what decides whether its sender
may notify everyone, storing its mentions, and counting those I haven't read. The rules are in
messages.mentions."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, insert, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.prepared import Prepared
from chinwag.db.units import Tx
from chinwag.messages.models import Mention, Message

# Up to this many names, a prepared lookup per name (the usual case); above, one query.
FEW_NAMES = 4

_NAMED_MEMBER = Prepared(
    select(User.__table__.c.id)
    .join(ChatMembership.__table__, ChatMembership.__table__.c.user_id == User.__table__.c.id)
    .where(
        ChatMembership.__table__.c.chat_id == bindparam("chat_id"),
        func.lower(User.__table__.c.username) == bindparam("name"),
    )
)


def named_members(db: Tx, chat_id: int, names: set[str]) -> dict[str, int]:
    """The members of the chat among `names` (lower-cased usernames): name -> user id."""
    if len(names) <= FEW_NAMES:
        found = {}
        for name in names:
            row = _NAMED_MEMBER.one(db, chat_id=chat_id, name=name)
            if row is not None:
                found[name] = row[0]
        return found
    rows = db.conn.execute(
        select(func.lower(User.username), User.id)
        .join(ChatMembership, ChatMembership.user_id == User.id)
        .where(ChatMembership.chat_id == chat_id, func.lower(User.username).in_(names))
    )
    return dict(rows.all())


def member_ids(db: Tx, chat_id: int) -> set[int]:
    """Everyone in the chat."""
    return set(db.scalars(select(ChatMembership.user_id).where(ChatMembership.chat_id == chat_id)))


def sender_standing(db: Tx, chat_id: int, sender_id: int) -> tuple[str, str] | None:
    """(the chat's kind, the sender's role in it); None if the sender isn't a member."""
    row = (
        db.execute(
            select(Chat.kind, ChatMembership.role)
            .join(ChatMembership, ChatMembership.chat_id == Chat.id)
            .where(Chat.id == chat_id, ChatMembership.user_id == sender_id)
        )
    ).one_or_none()
    return None if row is None else (row.kind, row.role)


def member_count(db: Tx, chat_id: int) -> int:
    return db.scalar(
        select(func.count()).select_from(ChatMembership).where(ChatMembership.chat_id == chat_id)
    )


_DROP_MENTIONS = Prepared(delete(Mention).where(Mention.message_id == bindparam("message_id")))
_ADD_MENTION = Prepared(
    insert(Mention).values(
        message_id=bindparam("message_id"),
        user_id=bindparam("user_id"),
        chat_id=bindparam("chat_id"),
        seq=bindparam("seq"),
    )
)


def store_mentions(db: Tx, message, user_ids: list[int], *, replace: bool = True) -> None:
    """Store the message's mentions, replacing those it had (a new message has none). A
    prepared insert per person when they are few (a Core executemany, compiled per call, cost
    more than the one or two inserts a message usually needs)."""
    if replace:
        _DROP_MENTIONS.execute(db, message_id=message.id)
    rows = [
        {"message_id": message.id, "user_id": uid, "chat_id": message.chat_id, "seq": message.seq}
        for uid in user_ids
    ]
    if len(rows) > FEW_NAMES:  # @all in a group: one executemany
        db.conn.execute(insert(Mention), rows)
        return
    for row in rows:
        _ADD_MENTION.execute(db, **row)


def unread_mentions_count(chat_id, last_read_seq):
    """How many messages mention me (bound as `me`) after `last_read_seq` in the chat
    `chat_id` (columns of the enclosing query), deleted ones not counted."""
    me = bindparam("me")
    mention = Mention.__table__
    message = Message.__table__
    return (
        select(func.count())
        .select_from(mention.join(message, message.c.id == mention.c.message_id))
        .where(
            mention.c.user_id == me,
            mention.c.chat_id == chat_id,
            mention.c.seq > last_read_seq,
            message.c.deleted_at.is_(None),
        )
        .scalar_subquery()
    )

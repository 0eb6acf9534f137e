"""Mentions: which `@names` of a message are members of its chat, and who gets notified;
`@all` names every member of a group when the sender may. Their SQL, and storing them for
unread counts and notifications, is in messages.mention_store."""

from __future__ import annotations

from dataclasses import dataclass, field

from chinwag.db.units import Tx
from chinwag.membership.access import RANK
from chinwag.messages import mention_store
from chinwag.messages.rendering import EVERYONE

# Above this many members, only admins may notify everyone with @all.
EVERYONE_OPEN_UP_TO = 50


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
    found.names = mention_store.named_members(db, chat_id, names - {EVERYONE})
    if EVERYONE in names and _may_mention_everyone(db, chat_id, sender_id):
        found.names[EVERYONE] = 0  # highlighted, but names nobody in particular
        found.user_ids = sorted(mention_store.member_ids(db, chat_id) - {sender_id})
    else:
        found.user_ids = sorted(set(found.names.values()) - {sender_id, 0})
    return found


def _may_mention_everyone(db: Tx, chat_id: int, sender_id: int) -> bool:
    standing = mention_store.sender_standing(db, chat_id, sender_id)
    if standing is None:
        return False
    kind, role = standing
    if kind != "group":
        return False
    if RANK[role] >= RANK["admin"]:
        return True
    return mention_store.member_count(db, chat_id) <= EVERYONE_OPEN_UP_TO

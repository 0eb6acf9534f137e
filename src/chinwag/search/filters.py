"""From a parsed query's operators to SQL: the chats searched and the clauses on messages.

Names resolve among what the caller may see, so an operator never tells more than a search
without it: `in:` picks from the caller's own chats (a group they aren't in, or that doesn't
exist, is simply not searched), `from:` keeps the messages of those people in those chats.
Like Slack, a name that matches nothing gives no hits rather than an error.

Dates are days in the caller's time zone (settings.timezone, as their client keeps it; UTC
when unset or unknown): `on:` is that whole day, `before:` ends where the day starts and
`after:` starts where the next day starts (both exclusive, as in Slack and Gmail).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, exists

from chinwag.accounts.models import User
from chinwag.accounts.shapes import shared_timezone
from chinwag.db.units import Tx
from chinwag.errors import Invalid
from chinwag.pins.models import Pin
from chinwag.search import store
from chinwag.search.fulltext import MESSAGES
from chinwag.search.query import SearchQuery

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
# has:link: the message shows a web link, as its rendered HTML says (Markdown links, URLs and
# the bare domains linkify finds alike; not mailto: addresses, and a message's own text can't
# forge it: its "<" is escaped there). A LIKE on each message the other conditions leave: no
# index helps.
LINK_PATTERN = '%<a href="http%'


PINS = Pin.__table__


class UnsupportedOperator(Invalid):
    code = "unsupported_operator"

    def __init__(self, operator: str) -> None:
        super().__init__("is:thread is not available yet", extra={"operator": operator})


@dataclass(frozen=True)
class SearchScope:
    """Where and what a search looks: its chats and the clauses its messages pass."""

    chat_ids: list[int]
    where: list[ColumnElement] = field(default_factory=list)
    # from: keeps to a few people's messages, which their index finds: read those and sort,
    # rather than walk back through everyone's newest messages (ruinous when they wrote none).
    by_sender: bool = False


def search_scope(db: Tx, me: User, query: SearchQuery, chat_ids: list[int]) -> SearchScope | None:
    """The chats (among `chat_ids`, the caller's) and clauses of `query`'s operators; None
    when nothing can match (a name that matches nobody, days that don't overlap)."""
    refuse_unsupported(query)
    chat_ids = _named_chats(db, me.id, query, chat_ids)
    if not chat_ids:
        return None
    where: list[ColumnElement] = []
    if query.senders:
        sender_ids = _sender_ids(db, me.id, query.senders)
        if not sender_ids:
            return None
        where.append(MESSAGES.c.sender_id.in_(sender_ids))
    since, until = day_bounds(query, _zone_of(me))
    if since >= until:
        return None
    if since > EARLIEST:
        where.append(MESSAGES.c.created_at >= since)
    if until < LATEST:
        where.append(MESSAGES.c.created_at < until)
    if "file" in query.has:
        where.append(MESSAGES.c.attachment_count > 0)
    if "link" in query.has:
        where.append(MESSAGES.c.html.ilike(LINK_PATTERN))
    if "pinned" in query.is_:
        # the pin's primary key is the message: one index probe per candidate
        where.append(exists().where(PINS.c.message_id == MESSAGES.c.id))
    return SearchScope(chat_ids, where, by_sender=bool(query.senders))


def refuse_unsupported(query: SearchQuery) -> None:
    """UnsupportedOperator (422) for is:thread: parsed and documented, but threads don't exist
    yet (wire it here when they land)."""
    if "thread" in query.is_:
        raise UnsupportedOperator("is:thread")


def _zone_of(me: User) -> tzinfo:
    zone = shared_timezone(me.settings)
    return zoneinfo.ZoneInfo(zone) if zone else UTC


def _sender_ids(db: Tx, my_id: int, usernames: Sequence[str]) -> list[int]:
    ids = store.user_ids_by_username(db, [name for name in usernames if name != "me"])
    return sorted(set(ids) | ({my_id} if "me" in usernames else set()))


def _named_chats(db: Tx, my_id: int, query: SearchQuery, chat_ids: list[int]) -> list[int]:
    if not query.chats:
        return chat_ids
    groups = {c.name.casefold() for c in query.chats if not c.direct}
    peers = [c.name for c in query.chats if c.direct]
    peer_ids = set(_sender_ids(db, my_id, peers)) if peers else set()
    direct_keys = {f"{min(my_id, p)}:{max(my_id, p)}" for p in peer_ids}
    return [
        chat_id
        for chat_id, kind, name, key in store.chat_names(db, chat_ids)
        if (kind == "group" and name.casefold() in groups) or (key in direct_keys)
    ]


def day_bounds(query: SearchQuery, zone: tzinfo) -> tuple[datetime, datetime]:
    """[since, until) in UTC that before:, after: and on: leave; EARLIEST/LATEST where they
    set no bound."""
    since = max([_start_of(_next(day), zone) for day in query.after], default=EARLIEST)
    until = min([_start_of(day, zone) for day in query.before], default=LATEST)
    for day in query.on:
        since = max(since, _start_of(day, zone))
        until = min(until, _start_of(_next(day), zone))
    return since, until


def _next(day: date) -> date | None:
    try:
        return day + timedelta(days=1)
    except OverflowError:  # after:9999-12-31
        return None


def _start_of(day: date | None, zone: tzinfo) -> datetime:
    """Midnight of `day` in `zone`, in UTC; days past what datetime holds are clamped."""
    if day is None:
        return LATEST
    try:
        return datetime.combine(day, time(), zone).astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        return EARLIEST if day.year < 5000 else LATEST

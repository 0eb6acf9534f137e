"""Edit history: the versions of a message, newest first, for the members who may read it.

Each edit keeps the version it replaces (messages.service, in the edit's own unit); deleting
the message for everyone forgets them (messages.service.tombstone), and retention's hard
delete takes them by the foreign key.
"""

from __future__ import annotations

from chinwag.accounts.models import User
from chinwag.context import AppContext
from chinwag.db.base import iso
from chinwag.db.units import Tx
from chinwag.errors import NotFound
from chinwag.membership.store import member_chat
from chinwag.messages.edit_store import versions
from chinwag.messages.store import MessageRow, message_by_id

VERSIONS_MAX = 100


def _readable(db: Tx, me_id: int, message_id: int) -> MessageRow:
    """The message, if I may read it: as for its chat's history (404 for a chat I can't see,
    403 `not_a_member` for a public group I'm not in). A deleted one has no versions: 404."""
    message = message_by_id(db, message_id)
    if message is None:
        raise NotFound("No such message")
    try:
        member_chat(db, message.chat_id, me_id)
    except NotFound:
        raise NotFound("No such message") from None
    if message.deleted_at is not None:
        raise NotFound("This message was deleted: its versions went with it")
    return message


def _current(message: MessageRow) -> dict:
    return {
        "id": None,
        "current": True,
        "text": message.text or "",
        "html": message.html,
        "written_at": iso(message.edited_at or message.created_at),
        "replaced_at": None,
        "replaced_by": None,
    }


def _kept(row) -> dict:
    return {
        "id": row.id,
        "current": False,
        "text": row.text,
        "html": row.html,
        "written_at": iso(row.written_at),
        "replaced_at": iso(row.edited_at),
        "replaced_by": row.edited_by,
    }


def _versions_unit(db: Tx, me_id: int, message_id: int, limit: int, before: int | None):
    message = _readable(db, me_id, message_id)
    page = [] if before is not None else [_current(message)]
    if limit > len(page):
        page.extend(_kept(row) for row in versions(db, message.id, limit - len(page), before))
    return page


async def message_versions(
    ctx: AppContext, me: User, message_id: int, *, limit: int = VERSIONS_MAX, before=None
) -> list[dict]:
    """The message's versions, newest first: what it says now (first, unless `before` pages
    on), then each version an edit replaced, with when it was written and replaced. Up to
    `limit` (at most 100); `before` (a kept version's id) gives the older ones."""
    limit = min(limit, VERSIONS_MAX)
    return await ctx.db.read(_versions_unit, me.id, message_id, limit, before)

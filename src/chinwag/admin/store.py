"""The SQL of site administration: every account as an admin sees it, an account's flags,
and the audit log. Sync functions of a unit's `db`; the rules are in admin.service."""

from __future__ import annotations

from sqlalchemy import func, insert, or_, select, update

from chinwag.accounts.models import User
from chinwag.admin.models import AuditEntry
from chinwag.db.units import Tx
from chinwag.validation import like_pattern

U = User.__table__
A = AuditEntry.__table__


def users(db: Tx, query: str, limit: int, after: str | None) -> list[User]:
    """Accounts, deactivated ones too, by username (case-insensitive), those after the
    username `after`; `query` matches a part of the username, display name or email."""
    stmt = select(User)
    if query:
        pattern = like_pattern(query.lower())
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if after:
        stmt = stmt.where(func.lower(User.username) > after.lower())
    return list(db.scalars(stmt.order_by(func.lower(User.username)).limit(limit)))


def set_flags(db: Tx, user_id: int, **flags: bool) -> None:
    """Set is_active / is_site_admin on one account."""
    db.execute(update(U).where(U.c.id == user_id).values(**flags))


def site_admin_count(db: Tx) -> int:
    """Active site administrators."""
    return db.scalar(
        select(func.count()).where(U.c.is_site_admin.is_(True), U.c.is_active.is_(True))
    )


def record(db: Tx, actor_id: int | None, action: str, target_user_id: int | None, details):
    db.execute(
        insert(A).values(
            actor_id=actor_id, action=action, target_user_id=target_user_id, details=details
        )
    )


def audit_page(db: Tx, before: int | None, limit: int) -> list:
    """Entries newest first, those with an id below `before`; with the actor's and target's
    usernames."""
    actor, target = U.alias("actor"), U.alias("target")
    stmt = (
        select(A, actor.c.username.label("actor_username"), target.c.username.label("target"))
        .outerjoin(actor, actor.c.id == A.c.actor_id)
        .outerjoin(target, target.c.id == A.c.target_user_id)
    )
    if before is not None:
        stmt = stmt.where(A.c.id < before)
    return list(db.execute(stmt.order_by(A.c.id.desc()).limit(limit)))

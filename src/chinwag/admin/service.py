"""Site administration: accounts (deactivate, reactivate, site admin) and the audit log.

Only site administrators get here (deps.site_admin, on every route), or the server's own
command line. Every change is recorded in the audit log by the unit that makes it. A
deactivated account's sessions are revoked in that unit too, so its sockets close (1008) once
the unit is committed and its tokens stop working at once; signing in is then refused with
`account_deactivated`. Its messages stay, shown as from a deactivated person.
"""

from __future__ import annotations

from chinwag.accounts import auth
from chinwag.accounts.models import User
from chinwag.accounts.service import any_user
from chinwag.admin import store
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.errors import Conflict
from chinwag.events import PendingEvents, write_and_publish


async def list_users(ctx: AppContext, query: str, limit: int, after: str | None) -> list[User]:
    return await ctx.db.read(store.users, query.strip(), limit, after)


def _changed(db: Tx, user: User, **flags: bool) -> User:
    store.set_flags(db, user.id, **flags)
    db.session.expire(user)  # read back what was just written
    db.session.refresh(user)
    return user


def deactivate_in(db: Tx, events: PendingEvents, actor_id: int | None, user_id: int) -> User:
    """Deactivate an account inside another unit (a moderation decision): see deactivate."""
    return _deactivate(db, events, actor_id, user_id)


def _deactivate(db: Tx, events: PendingEvents, actor_id: int | None, user_id: int) -> User:
    user = any_user(db, user_id)
    if user_id == actor_id:
        raise Conflict("You can't deactivate your own account", code="cannot_deactivate_self")
    if not user.is_active:
        return user  # already: nothing changes, nothing is recorded
    if user.is_site_admin:
        _keep_a_site_admin(db)
    revoked = auth.revoke_sessions(db, events, user_id)
    store.record(db, actor_id, "user.deactivated", user_id, {"sessions_revoked": len(revoked)})
    return _changed(db, user, is_active=False)


def _reactivate(db: Tx, _events: PendingEvents, actor_id: int | None, user_id: int) -> User:
    user = any_user(db, user_id)
    if user.is_active:
        return user
    store.record(db, actor_id, "user.reactivated", user_id, {})
    return _changed(db, user, is_active=True)


def _set_site_admin(
    db: Tx, _events: PendingEvents, actor_id: int | None, user_id: int, on: bool
) -> User:
    user = any_user(db, user_id)
    if user.is_site_admin == on:
        return user
    if not on:
        _keep_a_site_admin(db)
    action = "user.site_admin_granted" if on else "user.site_admin_revoked"
    store.record(db, actor_id, action, user_id, {})
    return _changed(db, user, is_site_admin=on)


def _keep_a_site_admin(db: Tx) -> None:
    """Refuse the change that would leave the workspace with no active site administrator."""
    if store.site_admin_count(db) <= 1:
        raise Conflict(
            "The workspace needs at least one site administrator", code="last_site_admin"
        )


async def deactivate(ctx: AppContext, actor_id: int | None, user_id: int) -> User:
    """Deactivate an account: its sessions end, its sockets close, it can't sign in."""
    return await write_and_publish(ctx, _deactivate, actor_id, user_id)


async def reactivate(ctx: AppContext, actor_id: int | None, user_id: int) -> User:
    """Let a deactivated account sign in again (its old sessions stay ended)."""
    return await write_and_publish(ctx, _reactivate, actor_id, user_id)


async def set_site_admin(ctx: AppContext, actor_id: int | None, user_id: int, on: bool) -> User:
    return await write_and_publish(ctx, _set_site_admin, actor_id, user_id, on)


async def audit_page(ctx: AppContext, before: int | None, limit: int) -> list:
    return await ctx.db.read(store.audit_page, before, limit)

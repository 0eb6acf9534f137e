"""Accounts: sign-up, profiles, people search and password changes."""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts import auth
from chinwag.accounts.models import User
from chinwag.accounts.schemas import MeOut, ProfilePatch, RegisterIn, UserOut
from chinwag.context import AppContext
from chinwag.errors import BadRequest, Conflict, NotFound
from chinwag.files.service import avatar_file
from chinwag.files.shapes import avatar_url
from chinwag.validation import like_pattern

log = logging.getLogger("chinwag.accounts")


async def _ensure_free(db: AsyncSession, email: str, username: str) -> None:
    if await db.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise Conflict("An account with this email already exists", code="email_taken")
    if await db.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict("This username is taken", code="username_taken")


async def create_user(
    db: AsyncSession, ctx: AppContext, data: RegisterIn, *, site_admin: bool = False
) -> User:
    """Sign up. Email and username must be free regardless of case."""
    password_hash = await ctx.hasher.hash(data.password)  # before the transaction opens
    await _ensure_free(db, data.email, data.username)
    user = User(
        email=data.email,
        username=data.username,
        password_hash=password_hash,
        display_name=data.display_name or data.username,
        bio="",
        settings={},
        is_site_admin=site_admin,
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        # Lost a race with a concurrent sign-up for the same name: say which one is taken.
        await db.rollback()
        await _ensure_free(db, data.email, data.username)
        raise
    log.info("user %s signed up", user.id, extra={"event": "signup", "user_id": user.id})
    return user


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such user")
    return user


async def public_profile(ctx: AppContext, user: User) -> UserOut:
    online = await ctx.presence.is_online(user.id)
    return UserOut.model_validate({**_public_fields(user), "online": online})


async def own_profile(ctx: AppContext, user: User) -> MeOut:
    online = await ctx.presence.is_online(user.id)
    fields = {
        **_public_fields(user),
        "online": online,
        "email": user.email,
        "phone": user.phone,
        "birth_date": user.birth_date,
        "settings": user.settings or {},
    }
    return MeOut.model_validate(fields)


def _public_fields(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "created_at": user.created_at,
        "avatar_url": avatar_url(user.avatar_file_id),
    }


async def update_profile(db: AsyncSession, user: User, patch: ProfilePatch) -> User:
    """Change the fields that were sent; an empty display name falls back to the username.
    An avatar must be an image the user uploaded."""
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("avatar_file_id") is not None:
        await avatar_file(db, user.id, changes["avatar_file_id"])
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"] or user.username
    for field in ("bio", "settings"):
        if field in changes and changes[field] is None:
            changes[field] = "" if field == "bio" else {}
    for field, value in changes.items():
        setattr(user, field, value)
    await db.commit()
    return user


async def change_password(
    db: AsyncSession, ctx: AppContext, caller: auth.Caller, current: str, new: str
) -> None:
    """Needs the current password; signs out every other device."""
    user = caller.user
    await db.commit()  # don't hold the database (SQLite's one writer) through argon2
    if not await ctx.hasher.verify(current, user.password_hash):
        raise BadRequest("Current password is wrong", code="wrong_password")
    user.password_hash = await ctx.hasher.hash(new)
    db.add(user)
    await db.commit()
    await auth.revoke_sessions(db, ctx, user.id, keep=caller.session_id)
    log.info("user %s changed password", user.id, extra={"event": "password_changed"})


async def search_users(db: AsyncSession, query: str, limit: int) -> list[User]:
    """People whose username or display name contains `query`, case-insensitive."""
    stmt = select(User).where(User.is_active.is_(True))
    if query.strip():
        pattern = like_pattern(query.strip().lower())
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    return list(await db.scalars(stmt.order_by(func.lower(User.username)).limit(limit)))


async def users_by_ids(db: AsyncSession, user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    stmt = select(User).where(User.id.in_(user_ids), User.is_active.is_(True))
    return list(await db.scalars(stmt.order_by(User.id)))

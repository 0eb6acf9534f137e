"""Accounts: sign-up, profiles and password changes.

Async entry points (create_user, update_profile, change_password, the profiles) call the
database through units; get_user is a sync helper that runs inside units (other domains call
it from theirs). The SQL, people search included, is in accounts.store.
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from chinwag.accounts import auth, reset, store
from chinwag.accounts.models import User
from chinwag.accounts.schemas import MeOut, ProfilePatch, RegisterIn, UserOut
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.files.service import avatar_file
from chinwag.files.shapes import avatar_url

log = logging.getLogger("chinwag.accounts")

EMAIL_TAKEN = "email_taken"
# Run in a sign-up's unit with the new account: may raise to refuse it (workspace invitations).
Admit = Callable[[Tx, PendingEvents, User], None]


def _ensure_free(db: Tx, email: str, username: str) -> None:
    if store.id_by_email(db, email):
        raise Conflict("An account with this email already exists", code=EMAIL_TAKEN)
    if store.id_by_username(db, username):
        raise Conflict("This username is taken", code="username_taken")


def _insert_user(
    db: Tx,
    events: PendingEvents,
    data: RegisterIn,
    password_hash: str,
    site_admin: bool,
    admit: Admit | None,
) -> User:
    """Write unit of create_user."""
    display_name = data.display_name or data.username
    fields = {"password_hash": password_hash, "is_site_admin": site_admin}
    return add_account(db, events, data.email, data.username, display_name, fields, admit)


def add_account(
    db: Tx,
    events: PendingEvents,
    email: str,
    username: str,
    display_name: str,
    fields: dict,
    admit: Admit | None,
) -> User:
    """In a unit: a new account (`fields`: password_hash and any other column), then
    `admit`. Conflict when the email or username is taken, regardless of case."""
    _ensure_free(db, email, username)
    user = User(
        email=email,
        username=username,
        display_name=display_name,
        bio="",
        settings={},
        **fields,
    )
    try:
        with db.begin_nested():
            db.add(user)
            db.flush()
    except IntegrityError:
        # Lost a race with a concurrent sign-up for the same name: say which one is taken.
        _ensure_free(db, email, username)
        raise
    if admit is not None:
        admit(db, events, user)
    return user


async def create_user(
    ctx: AppContext, data: RegisterIn, *, site_admin: bool = False, admit: Admit | None = None
) -> User:
    """Sign up. Email and username must be free regardless of case. `admit(db, events,
    user)` runs in the same unit once the account is there (an invitation is spent and its
    groups joined, or nothing is)."""
    # The cheap check first: a taken name costs no argon2 (the unit checks again).
    await ctx.db.read(_ensure_free, data.email, data.username)
    password_hash = await ctx.hasher.hash(data.password)  # before the unit: argon2 is slow
    user = await write_and_publish(ctx, _insert_user, data, password_hash, site_admin, admit)
    log.info("user %s signed up", user.id, extra={"event": "signup", "user_id": user.id})
    return user


async def sign_up(ctx: AppContext, data: RegisterIn, admit: Admit | None = None) -> User | None:
    """Sign-up from the public endpoint: the new user, or None when the email already has an
    account. Then its owner is mailed a sign-in reminder and a reset link (as a reset request
    would be, under the same hourly limit) and the caller learns nothing more: a password is
    hashed either way, so the time taken tells nothing either. A taken username is still
    said: usernames are public."""
    try:
        return await create_user(ctx, data, admit=admit)
    except Conflict as exc:
        if exc.code != EMAIL_TAKEN:
            raise
    await ctx.hasher.hash(data.password)  # the work a new account costs
    await reset.request_reset(ctx, data.email, mail="taken")
    log.info("sign-up with a taken email", extra={"event": "signup_email_taken"})
    return None


async def user_by_id(ctx: AppContext, user_id: int) -> User:
    """A user by id, deactivated ones too (their messages stay, and their profile says
    so), else NotFound."""
    return await ctx.db.read(any_user, user_id)


def any_user(db: Tx, user_id: int) -> User:
    """Any account by id, deactivated ones included, else NotFound."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


async def my_sessions(ctx: AppContext, user_id: int) -> list:
    """My open sessions (devices), the most recently used first."""
    return await ctx.db.read(store.list_sessions, user_id)


async def online_people(ctx: AppContext) -> list[User]:
    """The active users online now."""
    online = await ctx.presence.online_user_ids()  # before the unit: presence may be Redis
    return await ctx.db.read(store.users_by_ids, online)


async def find_people(ctx: AppContext, query: str, limit: int) -> list[User]:
    """People whose username or display name contains `query`."""
    return await ctx.db.read(store.search_users, query, limit)


def get_user(db: Tx, user_id: int) -> User:
    """An active user by id, else NotFound."""
    user = db.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such user")
    return user


async def public_profile(ctx: AppContext, user: User) -> UserOut:
    """What everyone may see of `user`, with their presence."""
    online = await ctx.presence.is_online(user.id)
    return UserOut.model_validate({**_public_fields(user), "online": online})


async def own_profile(ctx: AppContext, user: User, *, online: bool | None = None) -> MeOut:
    """What `user` sees of themselves, with their presence (asked for unless given)."""
    if online is None:
        online = await ctx.presence.is_online(user.id)
    fields = {
        **_public_fields(user),
        "online": online,
        "email": user.email,
        "phone": user.phone,
        "birth_date": user.birth_date,
        "settings": user.settings or {},
        "email_missed_messages": user.email_missed_messages,
        "is_site_admin": user.is_site_admin,
    }
    return MeOut.model_validate(fields)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def shared_timezone(settings: dict | None) -> str | None:
    """The one setting others see: a time zone the IANA database knows (so their local time
    can be shown on a profile card), else None."""
    zone = (settings or {}).get("timezone")
    return zone if isinstance(zone, str) and zone in _time_zones() else None


def _public_fields(user: User) -> dict:
    return {
        "timezone": shared_timezone(user.settings),
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "created_at": user.created_at,
        "avatar_url": avatar_url(user.avatar_file_id),
        "deactivated": not user.is_active,
    }


def _apply_profile(db: Tx, user_id: int, changes: dict) -> User:
    """Write unit of update_profile, on a fresh copy of the user."""
    changes = dict(changes)  # a unit may run twice (a retried batch): leave the argument be
    user = get_user(db, user_id)
    if changes.get("avatar_file_id") is not None:
        avatar_file(db, user.id, changes["avatar_file_id"])
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"] or user.username
    if changes.get("email_missed_messages", True) is None:
        del changes["email_missed_messages"]  # null leaves it as it is
    for field in ("bio", "settings"):
        if field in changes and changes[field] is None:
            changes[field] = "" if field == "bio" else {}
    for field, value in changes.items():
        setattr(user, field, value)
    return user


async def update_profile(ctx: AppContext, user: User, patch: ProfilePatch) -> User:
    """Change the fields that were sent; an empty display name falls back to the username.
    An avatar must be an image the user uploaded."""
    return await ctx.db.write(_apply_profile, user.id, patch.model_dump(exclude_unset=True))


def _set_password(
    db: Tx, events: PendingEvents, user_id: int, password_hash: str, keep: str
) -> None:
    store.set_password_hash(db, user_id, password_hash)
    auth.revoke_sessions(db, events, user_id, keep=keep)


async def change_password(ctx: AppContext, caller: auth.Caller, current: str, new: str) -> None:
    """Needs the current password; signs out every other device."""
    user = caller.user
    # argon2 runs outside any unit; the caller's user was loaded fresh for this request.
    if not await ctx.hasher.verify(current, user.password_hash):
        raise BadRequest("Current password is wrong", code="wrong_password")
    new_hash = await ctx.hasher.hash(new)
    await write_and_publish(ctx, _set_password, user.id, new_hash, caller.session_id)
    log.info("user %s changed password", user.id, extra={"event": "password_changed"})

"""Accounts: sign-up, profiles and password changes.

Async entry points (create_user, update_profile, change_password, the profiles) call the
database through units; get_user is a sync helper that runs inside units (other domains call
it from theirs). The SQL, people search included, is in accounts.store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from chinwag.accounts import auth, reset, shapes, store, verification
from chinwag.accounts.models import User
from chinwag.accounts.schemas import MeOut, ProfilePatch, RegisterIn, UserOut
from chinwag.config import Settings
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import BadRequest, Conflict, Invalid, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.files.service import avatar_file
from chinwag.membership.store import chat_ids_of

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
    verified: bool,
    settings: Settings,
) -> tuple[User, str | None]:
    """Write unit of create_user: the account, and the token of its verification link when
    one must be mailed."""
    now = utcnow()
    display_name = data.display_name or data.username
    fields = {
        "password_hash": password_hash,
        "is_site_admin": site_admin,
        "email_verified_at": now if verified else None,
    }
    user = add_account(db, events, data.email, data.username, display_name, fields, admit)
    token = None
    if not verified and settings.email_verification == "required":
        token = verification.issue_token(db, user, settings.email_verification_hours, now)
    return user, token


def add_account(
    db: Tx,
    events: PendingEvents,
    email: str,
    username: str,
    display_name: str,
    fields: dict,
    admit: Admit | None,
) -> User:
    """In a unit: a new account (`fields`: password_hash, email_verified_at and any other
    column), then `admit`. Conflict when the email or username is taken, regardless of case."""
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
    ctx: AppContext,
    data: RegisterIn,
    *,
    site_admin: bool = False,
    admit: Admit | None = None,
    verified: bool = False,
) -> User:
    """Sign up. Email and username must be free regardless of case. `admit(db, events,
    user)` runs in the same unit once the account is there (an invitation is spent and its
    groups joined, or nothing is). Unless `verified` (an account made by the operator), the
    address is unverified, and with verification required its link is mailed."""
    # The cheap check first: a taken name costs no argon2 (the unit checks again).
    await ctx.db.read(_ensure_free, data.email, data.username)
    password_hash = await ctx.hasher.hash(data.password)  # before the unit: argon2 is slow
    user, token = await write_and_publish(
        ctx, _insert_user, data, password_hash, site_admin, admit, verified, ctx.settings
    )
    log.info("user %s signed up", user.id, extra={"event": "signup", "user_id": user.id})
    if token is not None:
        verification.mail_link(ctx, user, token)
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
    return shapes.public_shape(user, await ctx.presence.is_online(user.id))


async def own_profile(ctx: AppContext, user: User, *, online: bool | None = None) -> MeOut:
    """What `user` sees of themselves, with their presence (asked for unless given)."""
    if online is None:
        online = await ctx.presence.is_online(user.id)
    return shapes.own_shape(ctx.settings, user, online)


shared_timezone = shapes.shared_timezone


def _apply_fields(db: Tx, user: User, changes: dict) -> None:
    if changes.get("avatar_file_id") is not None:
        avatar_file(db, user.id, changes["avatar_file_id"])
    if "display_name" in changes:
        fallback = changes.get("username") or user.username
        changes["display_name"] = changes["display_name"] or fallback
    for field in ("email_missed_messages", "username", "email"):
        if field in changes and changes[field] is None:
            del changes[field]  # null leaves it as it is
    for field in ("bio", "settings"):
        if field in changes and changes[field] is None:
            changes[field] = "" if field == "bio" else {}
    for field, value in changes.items():
        setattr(user, field, value)


def _claim_names(db: Tx, user: User, changes: dict) -> None:
    """A new username or email must be free regardless of case (one's own in another case
    is); a new address (not only its case) is unverified."""
    username, email = changes.get("username"), changes.get("email")
    if username is not None and store.id_by_username(db, username) not in (None, user.id):
        raise Conflict("This username is taken", code="username_taken")
    if email is not None and store.id_by_email(db, email) not in (None, user.id):
        raise Conflict("An account with this email already exists", code=EMAIL_TAKEN)
    if email is not None and email.lower() != user.email.lower():
        changes["email_verified_at"] = None


@dataclass
class ProfileChange:
    user: User
    old_email: str
    token: str | None  # a verification link's, to mail to the new address


def _apply_profile(
    db: Tx, events: PendingEvents, user_id: int, changes: dict, settings: Settings
) -> ProfileChange:
    """Write unit of update_profile, on a fresh copy of the user."""
    changes = dict(changes)  # a unit may run twice (a retried batch): leave the argument be
    user = get_user(db, user_id)
    before, old_email = shapes.public_fields(user), user.email
    _claim_names(db, user, changes)
    _apply_fields(db, user, changes)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        # Lost a race with another account taking the name: say which one is taken.
        _claim_names(db, user, {k: changes.get(k) for k in ("username", "email")})
        raise
    token = None
    if "email_verified_at" in changes and settings.email_verification == "required":
        token = verification.issue_token(db, user, settings.email_verification_hours, utcnow())
    if shapes.public_fields(user) != before:
        told = shapes.user_updated(user)
        for chat_id in sorted(chat_ids_of(db, user.id)):
            events.to_chat(chat_id, told)
    if user.username != before["username"] or user.email != old_email:
        events.to_user(user.id, shapes.me_updated(settings, user))
    return ProfileChange(user, old_email, token)


async def update_profile(
    ctx: AppContext, user: User, patch: ProfilePatch, address: str = ""
) -> User:
    """Change the fields that were sent; an empty display name falls back to the username.
    An avatar must be an image the user uploaded. A new username must be free (409); a new
    email too, and it needs the current password: the address is then unverified, a link
    is mailed to it (verification required) and a notice to the old one. People who share a
    chat are told of a new public profile (user.updated), the user's sockets of a new name or
    address (me.updated)."""
    changes = patch.model_dump(exclude_unset=True)
    password = changes.pop("current_password", None)
    if changes.get("email") is not None and changes["email"] != user.email:
        if password is None:
            raise Invalid("current_password: needed to change the email address")
        if not await ctx.hasher.verify(password, user.password_hash):
            raise BadRequest("Current password is wrong", code="wrong_password")
        verification.spend_mail_turn(ctx, user.id, address)  # mails go to both addresses
    change = await write_and_publish(ctx, _apply_profile, user.id, changes, ctx.settings)
    if change.user.email != change.old_email:
        verification.mail_change_notice(ctx, change.user, change.old_email)
        log.info("user %s changed email", user.id, extra={"event": "email_changed"})
    if change.token is not None:
        verification.mail_link(ctx, change.user, change.token)
    return change.user


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

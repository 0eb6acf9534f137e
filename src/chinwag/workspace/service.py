"""The workspace: its name, who may sign up, and invitations.

Registration is `open` (anyone), `invite_only` (through an invitation link) or `closed`
(accounts are made on the command line only). It starts as CHINWAG_REGISTRATION; once a site
administrator changes a setting, the workspace row holds them and wins.

An invitation is a link with a secret token (only its hash is kept), an expiry, a use limit,
optionally an email address (only that address may use it; the link is mailed to it) and
groups the newcomer joins. Signing up through it is one unit: a use is spent with a
conditional UPDATE, the account made, the groups joined; a refusal undoes all three.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from functools import partial

from chinwag.accounts import service as accounts
from chinwag.accounts.models import User
from chinwag.accounts.schemas import RegisterIn
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.admin import store as audit
from chinwag.chats.service import add_memberships, found_group
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.mail import compose
from chinwag.workspace import store

log = logging.getLogger("chinwag.workspace")

INVALID = "This invitation is invalid, used up or expired"
OPERATOR = "An administrator"  # who invites, in the mail, when the command line does
INVITE_MAIL = (
    "{inviter} invited you to {workspace} on chinwag.\n\n"
    "Sign up here (the link works until {expires}):\n{link}\n"
)


@dataclass(frozen=True)
class WorkspaceSettings:
    name: str
    registration: str
    default_group_ids: list[int] = field(default_factory=list)
    public_groups_by: str = "everyone"
    require_two_factor: bool = False


def _current(db: Tx, defaults) -> WorkspaceSettings:
    row = store.workspace(db)
    if row is None:
        return WorkspaceSettings(defaults.workspace_name, defaults.registration)
    return WorkspaceSettings(
        row.name,
        row.registration,
        list(row.default_group_ids or []),
        row.public_groups_by,
        bool(row.require_two_factor),
    )


async def current(ctx: AppContext) -> WorkspaceSettings:
    return await ctx.db.read(_current, ctx.settings)


def _change(db: Tx, _events, defaults, actor_id: int | None, changes: dict) -> WorkspaceSettings:
    old = _current(db, defaults)
    if "default_group_ids" in changes:
        wanted = list(dict.fromkeys(changes["default_group_ids"]))
        if len(store.live_groups(db, wanted)) != len(wanted):
            raise NotFound("No such group")
        changes = {**changes, "default_group_ids": wanted}
    new = replace(old, **changes)
    # The entry names what changed (a form sends every field; the log says what it did).
    changed = {key: value for key, value in changes.items() if getattr(old, key) != value}
    if changed:
        store.save_workspace(db, **asdict(new))
        audit.record(db, actor_id, "workspace.changed", None, changed)
    return new


async def change(ctx: AppContext, actor_id: int | None, changes: dict) -> WorkspaceSettings:
    """Change the settings named in `changes` (name, registration, default_group_ids,
    public_groups_by, require_two_factor); audited when something changes. `actor_id` None:
    the command line. Requiring two-factor sign-in limits the tokens of accounts without it
    from their next refresh."""
    return await write_and_publish(ctx, _change, ctx.settings, actor_id, changes)


async def groups(ctx: AppContext, chat_ids: list[int]) -> list:
    """The live groups of `chat_ids` (default groups, an invitation's), to name them."""
    return await ctx.db.read(store.live_groups, chat_ids)


# Invitations


def _invite(db: Tx, _events, actor_id: int | None, token_hash: str, values: dict) -> int:
    groups = store.live_groups(db, values["chat_ids"])
    if len(groups) != len(set(values["chat_ids"])):
        raise NotFound("No such group")
    invitation_id = store.add_invitation(db, token_hash=token_hash, invited_by=actor_id, **values)
    details = {"email": values["email"], "max_uses": values["max_uses"]}
    audit.record(
        db, actor_id, "invitation.created", None, {"invitation_id": invitation_id, **details}
    )
    return invitation_id


async def invite(
    ctx: AppContext,
    actor: User | None,
    email: str | None,
    max_uses: int | None,
    days: int,
    chat_ids,
) -> tuple[int, str, str]:
    """A new invitation: (id, its link, when it expires as ISO text). The link is mailed
    to `email` when given. `actor` None: the command line (nobody's name in the mail)."""
    token = new_secret()
    expires_at = utcnow() + timedelta(days=days)
    values = {
        "email": email,
        "max_uses": max_uses,
        "chat_ids": sorted(set(chat_ids)),
        "expires_at": expires_at,
    }
    actor_id = None if actor is None else actor.id
    invitation_id = await write_and_publish(ctx, _invite, actor_id, secret_hash(token), values)
    link = f"{ctx.settings.public_url}/#/join?invitation={token}"
    if email:
        name = (await current(ctx)).name
        inviter = OPERATOR if actor is None else actor.display_name
        body = INVITE_MAIL.format(
            inviter=inviter, workspace=name, expires=f"{expires_at:%Y-%m-%d}", link=link
        )
        ctx.mail.submit(compose(ctx.settings.mail_from, email, f"Join {name} on chinwag", body))
    log.info("invitation %s created", invitation_id, extra={"event": "invitation"})
    return invitation_id, link, expires_at


async def invitations(ctx: AppContext) -> list:
    return await ctx.db.read(store.invitations)


def _revoke(db: Tx, _events, actor_id: int, invitation_id: int) -> None:
    if not store.revoke(db, invitation_id, utcnow()):
        raise NotFound("No such invitation, or it is revoked already")
    audit.record(db, actor_id, "invitation.revoked", None, {"invitation_id": invitation_id})


async def revoke(ctx: AppContext, actor_id: int, invitation_id: int) -> None:
    await write_and_publish(ctx, _revoke, actor_id, invitation_id)


def _preview(db: Tx, token_hash: str, defaults) -> dict:
    found = store.usable_invitation(db, token_hash, utcnow())
    if found is None:
        raise NotFound(INVALID, code="invitation_invalid")
    groups = store.live_groups(db, found.chat_ids or [])
    return {
        "workspace": _current(db, defaults).name,
        "invited_by": found.inviter,
        "email": found.email,
        "groups": sorted((group.name for group in groups), key=str.lower),
        "expires_at": found.expires_at,
    }


async def preview(ctx: AppContext, token: str) -> dict:
    """What the join page shows: whose invitation to which workspace and groups."""
    return await ctx.db.read(_preview, secret_hash(token), ctx.settings)


# Signing up


def _admit(token_hash: str, db: Tx, events: PendingEvents, user: User) -> None:
    """In the sign-up's unit: spend a use of the invitation and join its groups."""
    claimed = store.claim(db, token_hash, utcnow())
    if claimed is None:
        raise Forbidden(INVALID, code="invitation_invalid")
    email, chat_ids = claimed
    if email and email.lower() != user.email.lower():
        raise Forbidden("This invitation is for another email address", code="invitation_invalid")
    _join(db, events, user, chat_ids or [])


def _join(db: Tx, events: PendingEvents, user: User, chat_ids: list[int]) -> None:
    for group in store.live_groups(db, chat_ids):  # a new account is banned from none yet
        add_memberships(db, events, group, [user], None)


def welcome(defaults, db: Tx, events: PendingEvents, user: User) -> None:
    """In every sign-up's unit (the command line's too): the newcomer joins the workspace's
    default groups. The first account of a fresh install founds them: a public group named
    CHINWAG_DEFAULT_GROUP ("general"), owned by that account."""
    settings = _current(db, defaults)
    if defaults.default_group and store.workspace(db) is None and store.account_count(db) == 1:
        founded = found_group(db, events, user, defaults.default_group)
        store.save_workspace(db, **asdict(replace(settings, default_group_ids=[founded])))
        return
    _join(db, events, user, settings.default_group_ids)


def admission(ctx: AppContext, token: str | None):
    """What a sign-up's unit does with the new account: the invitation's use and groups
    (when there is one), then the default groups."""
    welcomed = partial(welcome, ctx.settings)
    if token is None:
        return welcomed
    invited = partial(_admit, secret_hash(token))

    def admit(db: Tx, events: PendingEvents, user: User) -> None:
        invited(db, events, user)
        welcomed(db, events, user)

    return admit


def _refuse_by_mode(mode: str, invited: bool) -> None:
    if mode == "closed":
        raise Forbidden("Sign-up is closed; ask a site administrator", code="registration_closed")
    if mode == "invite_only" and not invited:
        raise Forbidden("Sign-up needs an invitation link", code="invitation_required")


async def sign_up(ctx: AppContext, data: RegisterIn) -> User | None:
    """Sign-up from the public endpoint, as the registration mode allows (see
    accounts.service.sign_up for what None means)."""
    _refuse_by_mode((await current(ctx)).registration, data.invitation is not None)
    return await accounts.sign_up(ctx, data, admission(ctx, data.invitation))


def newcomer_admission(ctx: AppContext, invitation_hash: str | None):
    """What the unit of a single sign-on that makes an account does with it: refuse it as
    a sign-up would be refused in this registration mode (the mode read in the same unit),
    else spend the invitation it started from (if any) and join the default groups."""
    welcomed = partial(welcome, ctx.settings)

    def admit(db: Tx, events: PendingEvents, user: User) -> None:
        _refuse_by_mode(_current(db, ctx.settings).registration, invitation_hash is not None)
        if invitation_hash is not None:
            _admit(invitation_hash, db, events, user)
        welcomed(db, events, user)

    return admit

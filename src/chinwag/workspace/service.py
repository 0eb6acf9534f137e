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
from datetime import timedelta
from functools import partial

from chinwag.accounts import service as accounts
from chinwag.accounts.models import User
from chinwag.accounts.schemas import RegisterIn
from chinwag.accounts.security import new_secret, secret_hash
from chinwag.admin import store as audit
from chinwag.chats.service import add_memberships
from chinwag.context import AppContext
from chinwag.db.base import utcnow
from chinwag.db.units import Tx
from chinwag.errors import Forbidden, NotFound
from chinwag.events import PendingEvents, write_and_publish
from chinwag.mail import compose
from chinwag.workspace import store

log = logging.getLogger("chinwag.workspace")

INVALID = "This invitation is invalid, used up or expired"
INVITE_MAIL = (
    "{inviter} invited you to {workspace} on chinwag.\n\n"
    "Sign up here (the link works until {expires}):\n{link}\n"
)


def _current(db: Tx, defaults) -> tuple[str, str]:
    row = store.workspace(db)
    return (row.name, row.registration) if row else (defaults.workspace_name, defaults.registration)


async def current(ctx: AppContext) -> tuple[str, str]:
    """(name, registration mode)."""
    return await ctx.db.read(_current, ctx.settings)


def _change(db: Tx, _events, defaults, actor_id: int, name, registration) -> tuple[str, str]:
    old_name, old_mode = _current(db, defaults)
    new = (name or old_name, registration or old_mode)
    if new != (old_name, old_mode):
        store.save_workspace(db, *new)
        changes = {"name": new[0], "registration": new[1]}
        audit.record(db, actor_id, "workspace.changed", None, changes)
    return new


async def change(ctx: AppContext, actor_id: int, name: str | None, registration: str | None):
    return await write_and_publish(ctx, _change, ctx.settings, actor_id, name, registration)


# Invitations


def _invite(db: Tx, _events, actor: User, token_hash: str, values: dict) -> int:
    groups = store.live_groups(db, values["chat_ids"])
    if len(groups) != len(set(values["chat_ids"])):
        raise NotFound("No such group")
    invitation_id = store.add_invitation(db, token_hash=token_hash, invited_by=actor.id, **values)
    details = {"email": values["email"], "max_uses": values["max_uses"]}
    audit.record(
        db, actor.id, "invitation.created", None, {"invitation_id": invitation_id, **details}
    )
    return invitation_id


async def invite(
    ctx: AppContext, actor: User, email: str | None, max_uses: int | None, days: int, chat_ids
) -> tuple[int, str, str]:
    """A new invitation: (id, its link, when it expires as ISO text). The link is mailed
    to `email` when given."""
    token = new_secret()
    expires_at = utcnow() + timedelta(days=days)
    values = {
        "email": email,
        "max_uses": max_uses,
        "chat_ids": sorted(set(chat_ids)),
        "expires_at": expires_at,
    }
    invitation_id = await write_and_publish(ctx, _invite, actor, secret_hash(token), values)
    link = f"{ctx.settings.public_url}/#/join?invitation={token}"
    if email:
        name, _ = await current(ctx)
        body = INVITE_MAIL.format(
            inviter=actor.display_name, workspace=name, expires=f"{expires_at:%Y-%m-%d}", link=link
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
    name, _ = _current(db, defaults)
    return {
        "workspace": name,
        "invited_by": found.inviter,
        "email": found.email,
        "groups": store.group_names(db, found.chat_ids or []),
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
    for group in store.live_groups(db, chat_ids or []):
        add_memberships(db, events, group, [user], None)


async def sign_up(ctx: AppContext, data: RegisterIn) -> User | None:
    """Sign-up from the public endpoint, as the registration mode allows (see
    accounts.service.sign_up for what None means)."""
    _, mode = await current(ctx)
    if mode == "closed":
        raise Forbidden("Sign-up is closed; ask a site administrator", code="registration_closed")
    if data.invitation is None:
        if mode == "invite_only":
            raise Forbidden("Sign-up needs an invitation link", code="invitation_required")
        return await accounts.sign_up(ctx, data)
    return await accounts.sign_up(ctx, data, partial(_admit, secret_hash(data.invitation)))

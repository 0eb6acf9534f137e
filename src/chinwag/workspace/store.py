"""The SQL of the workspace: its settings row and invitations. Sync functions of a unit's
`db`; the rules are in workspace.service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select, update

from chinwag.accounts.models import User
from chinwag.chats.models import Chat
from chinwag.db.units import Tx
from chinwag.workspace.models import Invitation, Workspace

W, INV, U, C = Workspace.__table__, Invitation.__table__, User.__table__, Chat.__table__
ROW = 1


def workspace(db: Tx):
    """The settings row, or None before anyone changed a setting."""
    return db.execute(
        select(
            W.c.name,
            W.c.registration,
            W.c.default_group_ids,
            W.c.public_groups_by,
            W.c.require_two_factor,
        ).where(W.c.id == ROW)
    ).one_or_none()


def save_workspace(db: Tx, **values) -> None:
    """Store every setting of the row (name, registration, default_group_ids,
    public_groups_by, require_two_factor)."""
    if db.execute(update(W).where(W.c.id == ROW).values(**values)).rowcount:
        return
    db.execute(insert(W).values(id=ROW, **values))


def public_groups_by(db: Tx) -> str:
    """Who may create public groups: "everyone" until a site administrator says otherwise."""
    return db.scalar(select(W.c.public_groups_by).where(W.c.id == ROW)) or "everyone"


def account_count(db: Tx) -> int:
    return db.scalar(select(func.count()).select_from(U))


def add_invitation(db: Tx, **values) -> int:
    return db.execute(insert(INV).values(**values).returning(INV.c.id)).scalar_one()


def _usable(now: datetime):
    return (
        INV.c.revoked_at.is_(None),
        INV.c.expires_at > now,
        or_(INV.c.max_uses.is_(None), INV.c.uses < INV.c.max_uses),
    )


def usable_invitation(db: Tx, token_hash: str, now: datetime):
    """The invitation and who sent it, while it can still be used."""
    return db.execute(
        select(INV, U.c.display_name.label("inviter"))
        .outerjoin(U, U.c.id == INV.c.invited_by)
        .where(INV.c.token_hash == token_hash, *_usable(now))
    ).one_or_none()


def claim(db: Tx, token_hash: str, now: datetime):
    """Spend one use of the invitation, if it can still be used: a conditional UPDATE, so
    racing sign-ups never use it more often than allowed. (email, chat_ids) or None."""
    return db.execute(
        update(INV)
        .where(INV.c.token_hash == token_hash, *_usable(now))
        .values(uses=INV.c.uses + 1)
        .returning(INV.c.email, INV.c.chat_ids)
    ).one_or_none()


def invitations(db: Tx) -> list:
    """Every invitation, newest first, with its inviter's username."""
    return list(
        db.execute(
            select(INV, U.c.username.label("inviter"))
            .outerjoin(U, U.c.id == INV.c.invited_by)
            .order_by(INV.c.id.desc())
        )
    )


def revoke(db: Tx, invitation_id: int, now: datetime) -> bool:
    result = db.execute(
        update(INV)
        .where(INV.c.id == invitation_id, INV.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)


def live_groups(db: Tx, chat_ids: list[int]) -> list[Chat]:
    if not chat_ids:
        return []
    return list(
        db.scalars(
            select(Chat).where(
                Chat.id.in_(chat_ids), Chat.kind == "group", Chat.deleted_at.is_(None)
            )
        )
    )

"""A user as others see them and as they see themselves, and the events that tell of a
change: sync, so a unit can queue them with the change (published after its commit)."""

from __future__ import annotations

import functools
import zoneinfo

from chinwag.accounts.models import User
from chinwag.accounts.schemas import MeOut, UserOut
from chinwag.config import Settings
from chinwag.files.shapes import avatar_url


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def shared_timezone(settings: dict | None) -> str | None:
    """The one setting others see: a time zone the IANA database knows (so their local time
    can be shown on a profile card), else None."""
    zone = (settings or {}).get("timezone")
    return zone if isinstance(zone, str) and zone in _time_zones() else None


def public_fields(user: User) -> dict:
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


def public_shape(user: User, online: bool) -> UserOut:
    return UserOut.model_validate({**public_fields(user), "online": online})


def own_shape(settings: Settings, user: User, online: bool) -> MeOut:
    """What `user` sees of themselves."""
    fields = {
        **public_fields(user),
        "online": online,
        "email": user.email,
        "email_verified": user.email_verified_at is not None,
        "email_verification_required": settings.email_verification == "required",
        "phone": user.phone,
        "birth_date": user.birth_date,
        "settings": user.settings or {},
        "email_missed_messages": user.email_missed_messages,
        "is_site_admin": user.is_site_admin,
    }
    return MeOut.model_validate(fields)


def me_updated(settings: Settings, user: User) -> dict:
    """To the user's own sockets: their account changed (its sockets are open: online)."""
    return {"type": "me.updated", "user": own_shape(settings, user, True).model_dump(mode="json")}


def user_updated(user: User) -> dict:
    """To the chats of a user whose public profile changed (`online` is not news here)."""
    shape = public_shape(user, False).model_dump(mode="json", exclude={"online"})
    return {"type": "user.updated", "user": shape}

"""What a member's role lets them do in a chat. Private chats are invisible to non-members
(404); a public group is visible to everyone, but reading and writing in it needs membership
(403): those lookups are in membership.store (visible_chat, member_chat)."""

from __future__ import annotations

from chinwag.chats.models import Chat, ChatMembership
from chinwag.errors import BadRequest, Forbidden

RANK = {"member": 0, "admin": 1, "owner": 2}


def require_role(membership: ChatMembership, role: str, action: str) -> None:
    if RANK[membership.role] < RANK[role]:
        raise Forbidden(
            f"Only the group's {role}s can {action}"
            if role == "admin"
            else f"Only the group's owner can {action}",
            code="insufficient_role",
        )


def require_group(chat: Chat, action: str) -> None:
    if chat.kind != "group":
        raise BadRequest(f"A direct chat can't {action}", code="direct_chat")

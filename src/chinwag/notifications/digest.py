"""The missed-message email: one mail per conversation with its unread messages, a link to
the chat and a one-click unsubscribe link (a signed token: no sign-in needed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage

from chinwag.chats.models import DIRECT_KINDS
from chinwag.mail import compose
from chinwag.notifications.store import Digest

TOKEN_PURPOSE = b"unsubscribe-missed-messages:"
EXCERPT_CHARS = 2000  # of each message; the chat has the rest


def unsubscribe_token(signing_key: str, user_id: int) -> str:
    return f"{user_id}.{_signature(signing_key, user_id)}"


def user_of_token(signing_key: str, token: str) -> int | None:
    """The user a genuine token names, else None."""
    user_part, _, signature = token.partition(".")
    if not user_part.isdigit() or len(user_part) > 18:
        return None
    user_id = int(user_part)
    if not hmac.compare_digest(signature, _signature(signing_key, user_id)):
        return None
    return user_id


def _signature(signing_key: str, user_id: int) -> str:
    mac = hmac.new(signing_key.encode(), TOKEN_PURPOSE + str(user_id).encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def subject_of(digest: Digest) -> str:
    if digest.chat_kind in DIRECT_KINDS:
        senders = sorted({sender for sender, _, _ in digest.messages})
        return f"{', '.join(senders)} sent you a direct message"
    return f"You were mentioned in {digest.chat_name}"


def missed_message_mail(digest: Digest, sender: str, public_url: str, token: str) -> EmailMessage:
    chat_link = f"{public_url}/#/chat/{digest.chat_id}"
    unsubscribe = f"{public_url}/api/notifications/unsubscribe?token={token}"
    lines = [f"Hello {digest.display_name},", ""]
    direct = digest.chat_kind in DIRECT_KINDS
    where = "in a direct message" if direct else f"in {digest.chat_name}"
    lines += [f"While you were away, {where}:", ""]
    for name, text, at in digest.messages:
        lines.append(f"{name} ({at:%Y-%m-%d %H:%M} UTC):")
        lines += [f"  {line}" for line in text[:EXCERPT_CHARS].splitlines() or [""]]
        lines.append("")
    lines += [
        f"Reply in chinwag: {chat_link}",
        "",
        "--",
        "You get this mail for direct messages and mentions you haven't read.",
        f"Stop these mails: {unsubscribe}",
    ]
    message = compose(sender, digest.email, subject_of(digest), "\n".join(lines))
    # RFC 8058: mail programs offer their own one-click "Unsubscribe" (a POST to the link)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message

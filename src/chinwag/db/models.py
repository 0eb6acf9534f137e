"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from chinwag.accounts.models import LoginFailure, PasswordReset, Session, User
from chinwag.admin.models import AuditEntry
from chinwag.chats.models import Chat, ChatBan, ChatMembership
from chinwag.db.base import Base
from chinwag.db.leases import JobLease
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Mention, Message, MessageEdit, Reaction
from chinwag.moderation.models import Report
from chinwag.notifications.models import MissedMessage, PushSubscription
from chinwag.pins.models import Pin, SavedMessage
from chinwag.sso.models import SsoIdentity, SsoSignIn
from chinwag.twofactor.models import RecoveryCode, TwoFactor
from chinwag.workspace.models import Invitation, Workspace

__all__ = [
    "AuditEntry",
    "Base",
    "Chat",
    "ChatBan",
    "ChatMembership",
    "LoginFailure",
    "Invitation",
    "JobLease",
    "Mention",
    "Message",
    "MessageAttachment",
    "MessageEdit",
    "MissedMessage",
    "PushSubscription",
    "Reaction",
    "RecoveryCode",
    "Report",
    "SavedMessage",
    "StoredFile",
    "TwoFactor",
    "PasswordReset",
    "Pin",
    "Session",
    "SsoIdentity",
    "SsoSignIn",
    "User",
    "Workspace",
]

"""Who may fetch a file, checked on every request: its uploader; a member of a chat where a
message carrying it was shared (while the message and the chat exist, not deleted); and
anyone signed in while it is someone's avatar. Everyone else is told it doesn't exist."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.units import Tx
from chinwag.errors import NotFound
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Message


def _shared_with(user_id: int):
    return (
        exists()
        .where(MessageAttachment.file_id == StoredFile.id)
        .where(
            ChatMembership.chat_id == MessageAttachment.chat_id,
            ChatMembership.user_id == user_id,
        )
        .where(Message.id == MessageAttachment.message_id, Message.deleted_at.is_(None))
        .where(Chat.id == MessageAttachment.chat_id, Chat.deleted_at.is_(None))
    )


def _an_avatar():
    # Only the uploader may make a file their avatar, so the uploader's row is the one to ask
    # (by primary key: users.avatar_file_id has no index).
    return (
        exists()
        .where(User.id == StoredFile.uploader_id)
        .where(User.avatar_file_id == StoredFile.id, User.is_active.is_(True))
    )


def readable_file(db: Tx, file_id: int, user_id: int) -> StoredFile:
    """The file if `user_id` may fetch it, else 404 (whether or not it exists)."""
    stored = db.scalar(
        select(StoredFile).where(
            StoredFile.id == file_id,
            or_(StoredFile.uploader_id == user_id, _an_avatar(), _shared_with(user_id)),
        )
    )
    if stored is None:
        raise NotFound("No such file")
    return stored

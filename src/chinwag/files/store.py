"""The SQL of files: what a user's uploads add up to (the quota), the user's row lock that
makes two uploads count each other, a user's files by id, attaching files to a message, and
the file a user may fetch (the rule is told in files.access). Sync functions of a unit's
`db`; the limits and checks are in files.service and files.access."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import exists, func, insert, or_, select

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.units import Tx
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.messages.models import Message

# Uploads


def used_bytes(db: Tx, uploader_id: int) -> int:
    """The bytes of everything `uploader_id` has uploaded (what the quota counts)."""
    total = db.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.uploader_id == uploader_id
        )
    )
    return int(total or 0)


def lock_uploader(db: Tx, user_id: int) -> None:
    """Hold the user's row lock until commit (PostgreSQL; SQLite's write lock already does)."""
    db.execute(select(User.id).where(User.id == user_id).with_for_update())


def files_of_uploader(db: Tx, uploader_id: int, file_ids: Collection[int]) -> list[StoredFile]:
    """Those of `file_ids` that `uploader_id` uploaded, in no particular order."""
    return list(
        db.scalars(
            select(StoredFile).where(
                StoredFile.id.in_(list(file_ids)), StoredFile.uploader_id == uploader_id
            )
        )
    )


# Attachments


def insert_attachments(db: Tx, message_id: int, chat_id: int, files: Sequence[StoredFile]) -> None:
    """The message's attachment rows, in the given order (committed with the caller's unit)."""
    db.execute(
        insert(MessageAttachment),
        [
            {"message_id": message_id, "file_id": f.id, "chat_id": chat_id, "position": i}
            for i, f in enumerate(files)
        ],
    )


# Access (files.access tells the rule)


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


def file_readable_by(db: Tx, file_id: int, user_id: int) -> StoredFile | None:
    """The file if it is `user_id`'s upload, someone's avatar, or shared in a chat of theirs
    (by a message and in a chat not deleted); else None."""
    return db.scalar(
        select(StoredFile).where(
            StoredFile.id == file_id,
            or_(StoredFile.uploader_id == user_id, _an_avatar(), _shared_with(user_id)),
        )
    )

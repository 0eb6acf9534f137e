"""Files: which uploads a sender may attach, and attaching them to a message."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.errors import Invalid
from chinwag.files.models import MessageAttachment, StoredFile

MAX_ATTACHMENTS = 10


async def attachable_files(
    db: AsyncSession, uploader_id: int, file_ids: Sequence[int]
) -> list[StoredFile]:
    """The files, in the given order, if every one was uploaded by `uploader_id`."""
    ids = list(dict.fromkeys(file_ids))  # a file named twice is attached once
    if len(ids) > MAX_ATTACHMENTS:
        raise Invalid(f"attachment_ids: at most {MAX_ATTACHMENTS} files")
    rows = await db.scalars(
        select(StoredFile).where(StoredFile.id.in_(ids), StoredFile.uploader_id == uploader_id)
    )
    found = {f.id: f for f in rows}
    if len(found) != len(ids):
        raise Invalid("attachment_ids: only files you uploaded can be attached")
    return [found[i] for i in ids]


async def attach_files(
    db: AsyncSession, message_id: int, chat_id: int, files: Sequence[StoredFile]
) -> None:
    """Share the files in the message's chat (not committed here)."""
    await db.execute(
        insert(MessageAttachment),
        [
            {"message_id": message_id, "file_id": f.id, "chat_id": chat_id, "position": i}
            for i, f in enumerate(files)
        ],
    )

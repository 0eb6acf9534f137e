"""Files: storing uploads (size limit, per-user quota, images), which uploads a sender may
attach, attaching them to a message, and which may be an avatar."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts.models import User
from chinwag.config import Settings
from chinwag.context import AppContext
from chinwag.errors import Invalid
from chinwag.files.images import examine_image
from chinwag.files.models import MessageAttachment, StoredFile
from chinwag.files.multipart import FilePart, UploadLimit, receive_file
from chinwag.files.names import OCTET_STREAM, clean_filename, declared_type
from chinwag.files.schemas import MAX_ATTACHMENTS
from chinwag.files.storage import FileStore, FileWriter, file_store


def human_size(size: int) -> str:
    """1536 -> "1.5 KiB", as people read sizes in error messages."""
    value, unit = float(size), "bytes"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} bytes" if unit == "bytes" else f"{value:.3g} {unit}"


async def used_bytes(db: AsyncSession, uploader_id: int) -> int:
    """The bytes of everything `uploader_id` has uploaded (what the quota counts)."""
    total = await db.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.uploader_id == uploader_id
        )
    )
    return int(total or 0)


def _quota_refusal(settings: Settings, left: int) -> UploadLimit:
    return UploadLimit(
        max(left, 0),
        "quota_exceeded",
        f"file: your uploads would pass your quota of {human_size(settings.upload_quota_bytes)} "
        f"({human_size(max(left, 0))} left)",
    )


async def upload_limit(db: AsyncSession, settings: Settings, uploader_id: int) -> UploadLimit:
    """The size limit or what is left of the quota, whichever is lower."""
    size_limit = UploadLimit(
        settings.upload_max_bytes,
        "too_large",
        f"file: at most {human_size(settings.upload_max_bytes)} per file",
    )
    if not settings.upload_quota_bytes:
        return size_limit
    left = settings.upload_quota_bytes - await used_bytes(db, uploader_id)
    return _quota_refusal(settings, left) if left < size_limit.max_bytes else size_limit


async def store_upload(
    db: AsyncSession,
    ctx: AppContext,
    uploader_id: int,
    headers: Mapping[str, str],
    chunks: AsyncIterator[bytes],
) -> StoredFile:
    """Store the `file` field of a multipart body under a generated name with its sha256;
    measure and thumbnail it when it is an image. 413 (too_large, quota_exceeded) as soon as
    it passes a limit; nothing is left on disk when anything fails."""
    limit = await upload_limit(db, ctx.settings, uploader_id)
    await db.commit()  # hold no transaction (SQLite's one writer) while the body streams in
    if limit.max_bytes <= 0:
        raise limit.refuse()
    store = file_store(ctx.settings)
    name = store.new_name()
    writer = FileWriter(store.path(name))
    try:
        part = await receive_file(headers, chunks, writer, limit)
        await writer.close()
        if writer.size == 0:
            raise Invalid("file: must not be empty")
        stored = await _describe(ctx.settings, store, name, part, writer, uploader_id)
        await _save_within_quota(db, ctx.settings, stored)
    except BaseException:
        # Also on cancellation (the client went away): synchronous, so it can't be skipped.
        writer.discard()
        store.remove(name)
        raise
    return stored


async def _describe(
    settings: Settings,
    store: FileStore,
    name: str,
    part: FilePart,
    writer: FileWriter,
    uploader_id: int,
) -> StoredFile:
    image = await asyncio.to_thread(
        examine_image, store.path(name), store.thumbnail_path(name), settings.image_max_pixels
    )
    content_type = declared_type(part.content_type)
    if image is None and content_type.startswith("image/"):
        content_type = OCTET_STREAM  # it said image, but it isn't one we can show
    return StoredFile(
        uploader_id=uploader_id,
        filename=clean_filename(part.filename),
        content_type=image.content_type if image else content_type,
        size=writer.size,
        sha256=writer.sha256,
        storage_name=name,
        is_image=image is not None,
        width=image.width if image else None,
        height=image.height if image else None,
        has_thumbnail=image is not None,
    )


async def _save_within_quota(db: AsyncSession, settings: Settings, stored: StoredFile) -> None:
    quota = settings.upload_quota_bytes
    if quota:
        # Two uploads of one user finishing together: the user's row lock makes the second
        # count the first (SQLite's write lock does the same).
        await db.execute(select(User.id).where(User.id == stored.uploader_id).with_for_update())
        used = await used_bytes(db, stored.uploader_id)
        if used + stored.size > quota:
            await db.rollback()
            raise _quota_refusal(settings, quota - used).refuse()
    db.add(stored)
    await db.commit()


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


async def avatar_file(db: AsyncSession, user_id: int, file_id: int) -> StoredFile:
    """The file `user_id` wants as their avatar: an image they uploaded, else 422."""
    stored = await db.get(StoredFile, file_id)
    if stored is None or stored.uploader_id != user_id or not stored.has_thumbnail:
        raise Invalid("avatar_file_id: must be an image you uploaded (POST /api/files)")
    return stored

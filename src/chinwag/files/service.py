"""Files: storing uploads (size limit, per-user quota, images), which uploads a sender may
attach, attaching them to a message, and which may be an avatar."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

from chinwag.config import Settings
from chinwag.context import AppContext
from chinwag.db.units import Tx
from chinwag.errors import Invalid
from chinwag.files.access import readable_file
from chinwag.files.images import examine_image
from chinwag.files.models import StoredFile
from chinwag.files.multipart import FilePart, UploadLimit, receive_file
from chinwag.files.names import OCTET_STREAM, clean_filename, declared_type
from chinwag.files.schemas import MAX_ATTACHMENTS
from chinwag.files.storage import FileStore, FileWriter, file_store
from chinwag.files.store import (
    files_of_uploader,
    insert_attachments,
    lock_uploader,
    used_bytes,
)


def human_size(size: int) -> str:
    """1536 -> "1.5 KiB", as people read sizes in error messages."""
    value, unit = float(size), "bytes"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} bytes" if unit == "bytes" else f"{value:.3g} {unit}"


def _quota_refusal(settings: Settings, left: int) -> UploadLimit:
    return UploadLimit(
        max(left, 0),
        "quota_exceeded",
        f"file: your uploads would pass your quota of {human_size(settings.upload_quota_bytes)} "
        f"({human_size(max(left, 0))} left)",
    )


def upload_limit(db: Tx, settings: Settings, uploader_id: int) -> UploadLimit:
    """The size limit or what is left of the quota, whichever is lower."""
    size_limit = UploadLimit(
        settings.upload_max_bytes,
        "too_large",
        f"file: at most {human_size(settings.upload_max_bytes)} per file",
    )
    if not settings.upload_quota_bytes:
        return size_limit
    left = settings.upload_quota_bytes - used_bytes(db, uploader_id)
    return _quota_refusal(settings, left) if left < size_limit.max_bytes else size_limit


async def store_upload(
    ctx: AppContext,
    uploader_id: int,
    headers: Mapping[str, str],
    chunks: AsyncIterator[bytes],
) -> StoredFile:
    """Store the `file` field of a multipart body under a generated name with its sha256;
    measure and thumbnail it when it is an image. 413 (too_large, quota_exceeded) as soon as
    it passes a limit; nothing is left on disk when anything fails."""
    limit = await ctx.db.read(upload_limit, ctx.settings, uploader_id)
    if limit.max_bytes <= 0:
        raise limit.refuse()
    store = file_store(ctx.settings)
    name = store.new_name()
    # No unit is open while the body streams in: a slow client holds no transaction.
    fields = await _receive(ctx.settings, store, name, uploader_id, headers, chunks, limit)
    return await _save(ctx, store, fields)


async def _receive(
    settings: Settings,
    store: FileStore,
    name: str,
    uploader_id: int,
    headers: Mapping[str, str],
    chunks: AsyncIterator[bytes],
    limit: UploadLimit,
) -> dict:
    writer = FileWriter(store.path(name))
    try:
        part = await receive_file(headers, chunks, writer, limit)
        await writer.close()
        if writer.size == 0:
            raise Invalid("file: must not be empty")
        return await _describe(settings, store, name, part, writer, uploader_id)
    except BaseException:
        # Also on cancellation (the client went away): synchronous, so it can't be skipped.
        writer.discard()
        store.remove(name)
        raise


async def _save(ctx: AppContext, store: FileStore, fields: dict) -> StoredFile:
    saving = asyncio.ensure_future(ctx.db.write(_save_within_quota, ctx.settings, fields))
    # A unit already queued runs even when its caller is cancelled (the client went away):
    # the bytes go only once the unit is known to have failed, never under a stored row.
    saving.add_done_callback(lambda done: _remove_unless_saved(done, store, fields))
    return await asyncio.shield(saving)


def _remove_unless_saved(saving: asyncio.Future, store: FileStore, fields: dict) -> None:
    if saving.cancelled() or saving.exception() is not None:
        store.remove(fields["storage_name"])


async def _describe(
    settings: Settings,
    store: FileStore,
    name: str,
    part: FilePart,
    writer: FileWriter,
    uploader_id: int,
) -> dict:
    """The columns of the new file's row (the unit that saves it makes the row)."""
    image = await asyncio.to_thread(
        examine_image, store.path(name), store.thumbnail_path(name), settings.image_max_pixels
    )
    content_type = declared_type(part.content_type)
    if image is None and content_type.startswith("image/"):
        content_type = OCTET_STREAM  # it said image, but it isn't one we can show
    return dict(
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


def _save_within_quota(db: Tx, settings: Settings, fields: dict) -> StoredFile:
    # A fresh row on every attempt: a unit run again (a PostgreSQL deadlock) starts clean.
    stored = StoredFile(**fields)
    quota = settings.upload_quota_bytes
    if quota:
        # Two uploads of one user finishing together: the user's row lock makes the second
        # count the first (SQLite's write lock does the same).
        lock_uploader(db, stored.uploader_id)
        used = used_bytes(db, stored.uploader_id)
        if used + stored.size > quota:
            raise _quota_refusal(settings, quota - used).refuse()
    db.add(stored)
    db.flush()  # the id, for the answer
    return stored


def attachable_files(db: Tx, uploader_id: int, file_ids: Sequence[int]) -> list[StoredFile]:
    """The files, in the given order, if every one was uploaded by `uploader_id`."""
    ids = list(dict.fromkeys(file_ids))  # a file named twice is attached once
    if len(ids) > MAX_ATTACHMENTS:
        raise Invalid(f"attachment_ids: at most {MAX_ATTACHMENTS} files")
    found = {f.id: f for f in files_of_uploader(db, uploader_id, ids)}
    if len(found) != len(ids):
        raise Invalid("attachment_ids: only files you uploaded can be attached")
    return [found[i] for i in ids]


def attach_files(db: Tx, message_id: int, chat_id: int, files: Sequence[StoredFile]) -> None:
    """Share the files in the message's chat (committed with the caller's unit)."""
    insert_attachments(db, message_id, chat_id, files)


def avatar_file(db: Tx, user_id: int, file_id: int) -> StoredFile:
    """The file `user_id` wants as their avatar: an image they uploaded, else 422."""
    stored = db.get(StoredFile, file_id)
    if stored is None or stored.uploader_id != user_id or not stored.has_thumbnail:
        raise Invalid("avatar_file_id: must be an image you uploaded (POST /api/files)")
    return stored


async def file_for(ctx: AppContext, file_id: int, user_id: int) -> StoredFile:
    """The file if `user_id` may fetch it, else 404 (checked on every request)."""
    return await ctx.db.read(readable_file, file_id, user_id)

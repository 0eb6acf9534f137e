"""The API shape of a file (files.schemas.FileOut), shared with the messages domain."""

from __future__ import annotations


def file_url(file_id: int) -> str:
    return f"/api/files/{file_id}"


def thumbnail_url(file_id: int) -> str:
    return f"/api/files/{file_id}/thumbnail"


def avatar_url(file_id: int | None) -> str | None:
    """Where a user's avatar is (its thumbnail), from users.avatar_file_id."""
    return thumbnail_url(file_id) if file_id is not None else None


def file_dict(stored) -> dict:
    """A StoredFile, or a row of the files table."""
    return {
        "id": stored.id,
        "filename": stored.filename,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "is_image": stored.is_image,
        "width": stored.width,
        "height": stored.height,
        "url": file_url(stored.id),
        "thumbnail_url": thumbnail_url(stored.id) if stored.has_thumbnail else None,
    }

"""HTTP routes of the files domain: upload, download, thumbnail and metadata (/api/files)."""

from __future__ import annotations

import asyncio
from pathlib import Path as FsPath
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from chinwag.deps import Caller, Ctx, Poster
from chinwag.errors import NotFound, error_responses
from chinwag.files import service
from chinwag.files.images import IMAGE_TYPES, THUMBNAIL_TYPE
from chinwag.files.names import OCTET_STREAM, content_disposition
from chinwag.files.schemas import FileOut
from chinwag.files.shapes import file_dict
from chinwag.files.storage import file_store
from chinwag.validation import MAX_BIGINT

router = APIRouter(prefix="/api/files", tags=["files"])

FileId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="File id")]

# The body is read by hand (files.multipart), so FastAPI can't describe it on its own.
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}
BYTES = {"schema": {"type": "string", "format": "binary"}}
# An image is served as its own type (recognised by content); anything else as octet-stream.
DOWNLOAD_RESPONSES = {
    200: {
        "description": "The file's bytes",
        "content": {t: BYTES for t in [*IMAGE_TYPES.values(), OCTET_STREAM]},
    },
    **error_responses(401, 404, 422),
}
THUMBNAIL_RESPONSES = {
    200: {"description": "The thumbnail's bytes", "content": {THUMBNAIL_TYPE: BYTES}},
    **error_responses(401, 404, 422),
}


@router.post(
    "",
    status_code=201,
    response_model=FileOut,
    summary="Upload a file (multipart field `file`); images get a size and a thumbnail",
    description="Over CHINWAG_UPLOAD_MAX_BYTES: 413 `too_large`; over what is left of your "
    "CHINWAG_UPLOAD_QUOTA_BYTES: 413 `quota_exceeded`; an image over CHINWAG_IMAGE_MAX_PIXELS: "
    "422 `image_too_large`. Attach it to a message with `attachment_ids`.",
    responses=error_responses(400, 401, 403, 413, 422),
    openapi_extra=UPLOAD_BODY,
)
async def upload(request: Request, caller: Poster, ctx: Ctx) -> dict:
    stored = await service.store_upload(ctx, caller.user.id, request.headers, request.stream())
    return file_dict(stored)


def _file_response(path: FsPath, media_type: str, filename: str, *, inline: bool):
    headers = {
        "Content-Disposition": content_disposition(filename, inline=inline),
        # Never let a browser guess a type or run what it finds: an upload is not our page.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private",
    }
    return FileResponse(path, media_type=media_type, headers=headers)


async def _on_disk(path: FsPath) -> FsPath:
    if not await asyncio.to_thread(path.is_file):
        raise NotFound("No such file")  # removed from the data directory by hand
    return path


@router.get(
    "/{file_id}",
    response_class=FileResponse,
    summary="Download a file (the uploader, members of chats it was shared in, or an avatar)",
    description="Images are served as what they are and `inline`; everything else as "
    "`application/octet-stream` and `attachment`.",
    responses=DOWNLOAD_RESPONSES,
)
@router.head("/{file_id}", include_in_schema=False)
async def download(file_id: FileId, caller: Caller, ctx: Ctx):
    # The bytes take a while to send: they go after the unit, holding no transaction.
    stored = await service.file_for(ctx, file_id, caller.user.id)
    path = await _on_disk(file_store(ctx.settings).path(stored.storage_name))
    media_type = stored.content_type if stored.is_image else OCTET_STREAM
    return _file_response(path, media_type, stored.filename, inline=stored.is_image)


@router.get(
    "/{file_id}/thumbnail",
    response_class=FileResponse,
    summary="An image's thumbnail: WebP, longest side 400 px (same access as the file)",
    responses=THUMBNAIL_RESPONSES,
)
@router.head("/{file_id}/thumbnail", include_in_schema=False)
async def thumbnail(file_id: FileId, caller: Caller, ctx: Ctx):
    stored = await service.file_for(ctx, file_id, caller.user.id)
    if not stored.has_thumbnail:
        raise NotFound("This file has no thumbnail")
    path = await _on_disk(file_store(ctx.settings).thumbnail_path(stored.storage_name))
    name = PurePosixPath(stored.filename).stem + ".webp"
    return _file_response(path, THUMBNAIL_TYPE, name, inline=True)


@router.get(
    "/{file_id}/meta",
    response_model=FileOut,
    summary="A file's name, type, size, sha256 and image size (same access as the file)",
    responses=error_responses(401, 404, 422),
)
async def meta(file_id: FileId, caller: Caller, ctx: Ctx) -> dict:
    return file_dict(await service.file_for(ctx, file_id, caller.user.id))

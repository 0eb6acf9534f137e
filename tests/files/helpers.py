"""Helpers for the files tests: real images made with Pillow, uploads, hand-made multipart."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from urllib.parse import unquote

import httpx
from PIL import Image

from tests.conftest import Person

FILE_KEYS = {
    "id",
    "filename",
    "content_type",
    "size",
    "sha256",
    "is_image",
    "width",
    "height",
    "url",
    "thumbnail_url",
}
BOUNDARY = "chinwag-test-boundary"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 32), mode="RGB", **save) -> bytes:
    """A real image of that format, drawn with Pillow (not a constant blob)."""
    image = Image.new(mode, size, "red" if mode != "P" else 1)
    image.putpixel((0, 0), (0, 0, 255) if mode == "RGB" else 0)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def animated_gif(size=(120, 60), frames=3) -> bytes:
    images = [Image.new("RGB", size, colour) for colour in ("red", "green", "blue")[:frames]]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height grey pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(
    client: httpx.AsyncClient,
    person: Person,
    data: bytes,
    filename: str = "notes.bin",
    content_type: str = "application/octet-stream",
):
    """The raw response of POST /api/files (a coroutine, so it can be gathered)."""
    return client.post(
        "/api/files", headers=person.headers, files={"file": (filename, data, content_type)}
    )


async def uploaded(client: httpx.AsyncClient, person: Person, data: bytes, *args) -> dict:
    """Upload a file that must be stored (201) and answer its shape."""
    response = await upload(client, person, data, *args)
    assert response.status_code == 201, response.text
    return response.json()


def multipart(parts: list[tuple[bytes, bytes]], *, close: bool = True) -> bytes:
    """A multipart/form-data body made by hand: each part is (header lines, data)."""
    body = b""
    for headers, data in parts:
        body += b"--" + BOUNDARY.encode() + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"
    return body + (b"--" + BOUNDARY.encode() + b"--\r\n" if close else b"")


def file_part(data: bytes, filename: bytes = b"x.bin", name: bytes = b"file") -> tuple:
    disposition = b'Content-Disposition: form-data; name="' + name + b'"; filename="' + filename
    return (disposition + b'"\r\nContent-Type: application/octet-stream', data)


def post_raw(client: httpx.AsyncClient, person: Person, body, **headers):
    """POST /api/files with a body (bytes or an async iterator) sent as it is."""
    return client.post(
        "/api/files",
        headers={
            **person.headers,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            **headers,
        },
        content=body,
    )


def disposition_names(header: str) -> tuple[str, str, str]:
    """(kind, ASCII fallback, exact name) from an RFC 6266 Content-Disposition."""
    kind, rest = header.split(";", 1)
    fallback_part, star_part = rest.rsplit("; filename*=", 1)
    assert fallback_part.startswith(' filename="') and fallback_part.endswith('"'), header
    assert star_part.startswith("UTF-8''"), header
    return kind, fallback_part[len(' filename="') : -1], unquote(star_part[len("UTF-8''") :])


def stored_files(settings) -> list[str]:
    """Names of every file under DATA_DIR/files (what an upload left on disk)."""
    root = settings.data_dir / "files"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []

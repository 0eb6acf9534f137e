"""One file read out of a multipart/form-data request while it streams in.

Starlette's form parser spools a whole upload before a route sees it; this reads the body
chunk by chunk with python-multipart's streaming parser, so an upload over its limit is
refused as soon as the limit is passed (or at once, from its Content-Length), and the file's
bytes go straight to disk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from chinwag.errors import BadRequest, Invalid, TooLarge
from chinwag.files.storage import FileWriter

# Room for the boundaries, part headers and small fields around the file itself.
MULTIPART_SLACK = 64 * 1024
FLUSH_BYTES = 1024 * 1024  # buffer this much before a disk write (one thread hop each)
FIELD = "file"


@dataclass(frozen=True)
class UploadLimit:
    """The most bytes this upload may have, and how to say no when it has more."""

    max_bytes: int
    code: str
    message: str

    def refuse(self) -> TooLarge:
        return TooLarge(self.message, code=self.code)


@dataclass(frozen=True)
class FilePart:
    filename: str  # as sent; cleaned by the caller
    content_type: str | None  # as declared


class _PartCollector:
    """python-multipart's callbacks: each part's headers, and the data of the file part."""

    def __init__(self) -> None:
        self.field, self.value = bytearray(), bytearray()
        self.headers: dict[bytes, bytes] = {}
        self.file: FilePart | None = None
        self.in_file = False
        self.pending = bytearray()
        self.received = 0
        self.finished = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.headers.clear,
            "on_header_field": lambda data, start, end: self.field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _header_end(self) -> None:
        self.headers[bytes(self.field).strip().lower()] = bytes(self.value).strip()
        self.field.clear()
        self.value.clear()

    def _headers_finished(self) -> None:
        disposition = self.headers.get(b"content-disposition", b"").decode("latin-1")
        _, options = parse_options_header(disposition)
        if options.get(b"name") != FIELD.encode():
            return  # another field: its data is skipped (it still counts toward the body)
        if self.file is not None:
            raise Invalid("file: send one file per request")
        declared = self.headers.get(b"content-type")
        self.file = FilePart(
            # Browsers send the name as raw UTF-8 (RFC 7578 forbids filename*=).
            filename=options.get(b"filename", b"").decode("utf-8", "replace"),
            content_type=declared.decode("latin-1") if declared else None,
        )
        self.in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.extend(data[start:end])
            self.received += end - start

    def _part_end(self) -> None:
        self.in_file = False

    def _end(self) -> None:
        self.finished = True

    def take(self) -> bytes:
        data = bytes(self.pending)
        self.pending.clear()
        return data


def _boundary(content_type: str) -> bytes:
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise Invalid("Send the file as multipart/form-data, in the field `file`")
    if len(boundary) > 70:  # RFC 2046's limit
        raise BadRequest("The multipart boundary is too long", code="bad_multipart")
    return boundary


def check_declared_length(headers: Mapping[str, str], limit: UploadLimit) -> None:
    """Refuse at once, before reading any of it, a body whose declared length is too long."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit.max_bytes + MULTIPART_SLACK:
        raise limit.refuse()


async def receive_file(
    headers: Mapping[str, str], chunks: AsyncIterator[bytes], writer: FileWriter, limit: UploadLimit
) -> FilePart:
    """Stream the `file` field of a multipart body into `writer`, at most `limit.max_bytes`."""
    check_declared_length(headers, limit)
    collector = _PartCollector()
    parser = MultipartParser(_boundary(headers.get("content-type", "")), collector.callbacks())
    body_bytes = 0
    try:
        async for chunk in chunks:
            body_bytes += len(chunk)
            if body_bytes > limit.max_bytes + MULTIPART_SLACK:
                raise limit.refuse()
            parser.write(chunk)
            if collector.received > limit.max_bytes:
                raise limit.refuse()  # stop reading: the rest of the body is never taken
            if len(collector.pending) >= FLUSH_BYTES:
                await writer.write(collector.take())
            if collector.finished:
                break  # anything after the closing boundary is an epilogue, ignored
    except MultipartParseError:
        raise BadRequest("The multipart body is malformed", code="bad_multipart") from None
    except ClientDisconnect:
        raise BadRequest("The upload was interrupted", code="upload_interrupted") from None
    if collector.pending:
        await writer.write(collector.take())
    if not collector.finished:
        raise BadRequest("The multipart body ended early", code="bad_multipart")
    if collector.file is None:
        raise Invalid("file: field required (multipart/form-data)")
    return collector.file

"""Where uploads live: DATA_DIR/files/<2 hex>/<32 hex>, names we generate, never the client's.

Disk work runs in threads so a large upload doesn't stall the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from pathlib import Path
from typing import BinaryIO

from chinwag.config import Settings

THUMBNAIL_SUFFIX = ".thumb"


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def new_name() -> str:
        return secrets.token_hex(16)

    def path(self, storage_name: str) -> Path:
        # A level of subfolders keeps any one folder small on a big server.
        return self.root / storage_name[:2] / storage_name

    def thumbnail_path(self, storage_name: str) -> Path:
        return self.root / storage_name[:2] / (storage_name + THUMBNAIL_SUFFIX)

    def remove(self, storage_name: str) -> None:
        """Delete a file and its thumbnail, whichever exist (clean-up after a failed upload)."""
        self.path(storage_name).unlink(missing_ok=True)
        self.thumbnail_path(storage_name).unlink(missing_ok=True)


def file_store(settings: Settings) -> FileStore:
    return FileStore(settings.data_dir / "files")


class FileWriter:
    """Writes an upload chunk by chunk to a new file, hashing it on the way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("xb")  # "x": a name collision fails instead of overwriting

    def _write(self, data: bytes) -> None:
        if self._file is None:
            self._open()
        self._file.write(data)
        self._hash.update(data)

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        await asyncio.to_thread(self._write, data)

    async def close(self) -> None:
        """Flush and close (idempotent; nothing to do when no byte came)."""
        if self._file is not None and not self._file.closed:
            await asyncio.to_thread(self._file.close)

    def discard(self) -> None:
        """Close without waiting for a thread (clean-up, even while being cancelled)."""
        if self._file is not None:
            self._file.close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

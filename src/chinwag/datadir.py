"""Who is using a data directory: every serving process holds a shared lock on its
`chinwag.lock` while it runs, so `chinwag restore` can tell a running server (and refuse to
pull the database from under it) from a stopped one. The kernel drops the lock when the
process ends, however it ends: no stale pid file to clean up."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "chinwag.lock"


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def serving_from(data_dir: Path) -> Iterator[None]:
    """Held by a server while it serves from `data_dir` (several workers share it)."""
    fd = _open(data_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def only_user_of(data_dir: Path) -> Iterator[bool]:
    """Yields whether no server uses `data_dir`; while it is held, none can start."""
    fd = _open(data_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)

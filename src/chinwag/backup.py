"""`chinwag backup` and `chinwag restore` for a SQLite deployment: the database through
SQLite's online backup API (a consistent snapshot while the server runs and writes), and the
uploaded files alongside it.

A backup is a folder:

    chinwag.db      the snapshot (integrity-checked once written)
    files/          the uploads and thumbnails, as under $DATA_DIR/files
    secret_key      the generated development key, when there is one (tokens stay valid)
    vapid_private_key.pem  the Web Push key (browsers' push subscriptions stay valid)
    backup.json     when it was taken, from where, the schema revision, row counts

The snapshot is taken first, then the files are copied: an upload's bytes are on disk before
its row commits, so every file the snapshot names is copied (files uploaded meanwhile come
along unnamed, harmless). PostgreSQL is backed up with its own tools (README, "Backups")."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from chinwag import __version__
from chinwag.config import SECRET_KEY_FILE, Settings
from chinwag.datadir import only_user_of
from chinwag.files.storage import file_store
from chinwag.notifications.vapid import KEY_FILE as VAPID_KEY_FILE

DATABASE_NAME = "chinwag.db"
FILES_NAME = "files"
MANIFEST_NAME = "backup.json"
COUNTED_TABLES = ("users", "chats", "messages", "files")
BUSY_TIMEOUT_MS = 10_000  # the server's writer may hold the write lock for a moment


class BackupError(Exception):
    """What keeps a backup or restore from being made; the message says what to do."""


@dataclass(frozen=True)
class Summary:
    path: Path
    counts: dict[str, int]
    files: int
    moved_aside: Path | None = None  # restore: where the replaced database and files went


def sqlite_path(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise BackupError(
            "chinwag backup is for SQLite; back PostgreSQL up with pg_dump "
            "(README, Backups) and copy $CHINWAG_DATA_DIR/files alongside"
        )
    database = make_url(settings.resolved_database_url).database
    if not database or database == ":memory:":
        raise BackupError("the database is in memory: nothing to back up")
    return Path(database)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _copy_database(source: Path, target: Path) -> None:
    """One backup step for the whole file: a single read transaction, so the copy is the
    database as of its start (in WAL mode the server keeps writing meanwhile). Stepping page
    by page would restart at every write by another connection."""
    with _connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=-1)
    with sqlite3.connect(target) as check:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"the copy of {source} failed its integrity check: {result}")


def _facts(path: Path) -> tuple[str | None, dict[str, int]]:
    with sqlite3.connect(path) as db:
        try:
            revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            revision = None
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES}  # noqa: S608 - fixed names
    return (revision[0] if revision else None), counts


def _copy_files(source: Path, target: Path) -> int:
    if not source.exists():
        target.mkdir()
        return 0
    shutil.copytree(source, target)
    return sum(1 for p in target.rglob("*") if p.is_file())


def _empty_or_absent(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def backup(settings: Settings, destination: Path) -> Summary:
    source = sqlite_path(settings)
    if not source.exists():
        raise BackupError(f"{source} does not exist: no database to back up yet")
    if not _empty_or_absent(destination):
        raise BackupError(f"{destination} exists and is not empty: name a new folder")
    destination.mkdir(parents=True, exist_ok=True)
    _copy_database(source, destination / DATABASE_NAME)
    files = _copy_files(file_store(settings).root, destination / FILES_NAME)
    for name in (SECRET_KEY_FILE, VAPID_KEY_FILE):
        key = settings.data_dir / name
        if key.exists():
            shutil.copy2(key, destination / name)
    revision, counts = _facts(destination / DATABASE_NAME)
    manifest = {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "chinwag": __version__,
        "source": str(source.resolve()),
        "schema_revision": revision,
        "counts": counts,
        "files": files,
    }
    (destination / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return Summary(destination, counts, files)


def restore(settings: Settings, source: Path, *, replace: bool = False) -> Summary:
    """Put a backup in place of the configured database and files. The server must be
    stopped (refused while one serves from the data directory: see chinwag.datadir). An
    existing database is only replaced with `replace`, and is then moved aside with its
    files, not deleted."""
    snapshot = source / DATABASE_NAME
    if not (source / MANIFEST_NAME).exists() or not snapshot.exists():
        raise BackupError(f"{source} is not a chinwag backup (no {MANIFEST_NAME} or database)")
    with only_user_of(settings.data_dir) as alone:
        if not alone:
            raise BackupError(
                f"a chinwag server is serving from {settings.data_dir}: stop it, then restore"
            )
        return _restore(settings, source, snapshot, replace)


def _restore(settings: Settings, source: Path, snapshot: Path, replace: bool) -> Summary:
    target = sqlite_path(settings)
    files_root = file_store(settings).root
    aside = None
    if target.exists() or not _empty_or_absent(files_root):
        if not replace:
            raise BackupError(
                f"{target} (or {files_root}) exists: stop the server, then restore with "
                "--replace (the current database and files are moved aside, not deleted)"
            )
        aside = _move_aside(target, files_root)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target, then renamed: a crash leaves the old state or the new one.
    partial = target.with_name(target.name + ".restoring")
    partial.unlink(missing_ok=True)
    _copy_database(snapshot, partial)
    os.replace(partial, target)
    if files_root.exists():
        files_root.rmdir()  # empty: anything in it was moved aside above
    files = _copy_files(source / FILES_NAME, files_root) if (source / FILES_NAME).exists() else 0
    key = source / SECRET_KEY_FILE
    if key.exists() and not settings.secret_key:
        shutil.copy2(key, settings.data_dir / SECRET_KEY_FILE)
    if (source / VAPID_KEY_FILE).exists():
        shutil.copy2(source / VAPID_KEY_FILE, settings.data_dir / VAPID_KEY_FILE)
    _, counts = _facts(target)
    return Summary(target, counts, files, aside)


def _move_aside(database: Path, files_root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = database.parent / f"before-restore-{stamp}"
    aside.mkdir()
    # The WAL and shared-memory files belong to the old database and go with it.
    for suffix in ("", "-wal", "-shm"):
        part = database.with_name(database.name + suffix)
        if part.exists():
            os.replace(part, aside / part.name)
    if files_root.exists():
        os.replace(files_root, aside / FILES_NAME)
    return aside

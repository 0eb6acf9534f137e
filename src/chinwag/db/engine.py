"""Where a database lives: SQLite files get their folder made first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder."""
    database = make_url(url).database if url.startswith("sqlite") else None
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)

"""Migration 0003 on a database that already holds messages (backfill), and back down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import JSON, column, insert, inspect, table, update

from chinwag.accounts.models import User
from chinwag.chats.models import Chat, ChatMembership
from chinwag.db.base import utcnow
from chinwag.db.database import Database, open_database
from chinwag.db.migrate import alembic_config, upgrade
from chinwag.messages.models import Message
from chinwag.search.service import search_messages
from tests.conftest import PG_URL, need, scratch_database


@contextlib.contextmanager
def empty_database(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}"
        return
    need("database", PG_URL)
    with scratch_database("chinwag_search_migration") as url:
        command.downgrade(alembic_config(url), "base")
        yield url


def _message(chat_id: int, seq: int, text: str | None, **extra) -> dict:
    return {
        "chat_id": chat_id, "seq": seq, "sender_id": 1, "kind": "text", "text": text,
        "html": None, "mentions": [], "created_at": utcnow(), **extra,
    }  # fmt: skip


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Database]:
    """The database as the app opens it (units of work), closed afterwards."""
    db = open_database(url)
    try:
        yield db
    finally:
        await db.close()


# users as revision 0002 has it: the model's later columns (with their defaults) aren't there
USERS_0002 = table(
    "users",
    *(column(name) for name in ("id", "email", "username", "password_hash", "display_name",
                                "bio", "is_active", "is_site_admin", "created_at")),
    column("settings", JSON),
)  # fmt: skip


def _insert_seed(db) -> None:
    conn = db.conn
    conn.execute(insert(USERS_0002), [{
        "id": 1, "email": "m@example.com", "username": "mig", "password_hash": "x",
        "display_name": "Mig", "bio": "", "settings": {}, "is_active": True,
        "is_site_admin": False, "created_at": utcnow(),
    }])  # fmt: skip
    conn.execute(insert(Chat), [{
        "id": 1, "kind": "group", "name": "old", "description": "", "is_public": False,
        "created_at": utcnow(), "last_seq": 3,
    }])  # fmt: skip
    conn.execute(
        insert(ChatMembership),
        [{"chat_id": 1, "user_id": 1, "role": "owner", "joined_at": utcnow(),
          "last_read_seq": 0, "muted": False}],
    )  # fmt: skip
    conn.execute(
        insert(Message),
        [
            _message(1, 1, "alpha from before the index"),
            _message(1, 2, "alpha joined", kind="system", sender_id=None),
            _message(1, 3, None, deleted_at=utcnow()),
        ],
    )


async def _seed(url: str) -> None:
    async with opened(url) as db:
        await db.write(_insert_seed)


async def _found(url: str, query: str) -> list[str]:
    async with opened(url) as db:
        me = await db.read(lambda tx: tx.get(User, 1))
        found = await search_messages(SimpleNamespace(db=db), me, query)
        return [h["message"]["text"] for h in found]


async def _change(url: str, *statements) -> None:
    def change(db) -> None:
        for statement in statements:
            db.conn.execute(statement)

    async with opened(url) as db:
        await db.write(change)


def _read_schema(db) -> tuple[set[str], set[str]]:
    inspector = inspect(db.conn)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    return names, {c["name"] for c in inspector.get_columns("messages")}


async def _schema(url: str) -> tuple[set[str], set[str]]:
    """Table and view names, and the columns of messages."""
    async with opened(url) as db:
        return await db.read(_read_schema)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_upgrade_indexes_existing_messages_and_downgrade_removes_the_index(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        upgrade(url, "0002")
        asyncio.run(_seed(url))
        upgrade(url)
        assert asyncio.run(_found(url, "alpha")) == ["alpha from before the index"]
        new = _message(1, 4, "beta after the index")
        asyncio.run(_change(url, insert(Message).values(**new)))
        assert asyncio.run(_found(url, "beta")) == ["beta after the index"]

        command.downgrade(alembic_config(url), "0002")
        names, columns = asyncio.run(_schema(url))
        assert not {n for n in names if "search" in n}, names
        assert "search_vector" not in columns and "messages" in names
        edited = update(Message).where(Message.seq == 4).values(text="gamma while unindexed")
        asyncio.run(_change(url, edited))

        upgrade(url)
        assert asyncio.run(_found(url, "gamma")) == ["gamma while unindexed"]
        assert asyncio.run(_found(url, "beta")) == []
        assert asyncio.run(_found(url, "alpha")) == ["alpha from before the index"]

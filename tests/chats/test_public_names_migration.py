"""Migration 0004 on a database that already holds public groups of one name: the oldest keeps
it, the later ones are renamed, and the unique index then holds."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from chinwag.chats.models import Chat
from chinwag.db.base import utcnow
from chinwag.db.migrate import alembic_config, upgrade
from tests.search.test_migration import empty_database, opened

GROUPS = [  # id, name, is_public, deleted
    (1, "design", True, False),
    (2, "Design", True, False),
    (3, "DESIGN", False, False),  # private: keeps its name
    (4, "design", True, True),  # deleted: keeps its name
    (5, "design (2)", True, False),  # the first free suffix is taken already
    (6, "x" * 80, True, False),
    (7, "X" * 80, True, False),
]


def _seed(db) -> None:
    db.conn.execute(
        insert(Chat),
        [
            {"id": i, "kind": "group", "name": name, "description": "", "is_public": public,
             "created_at": utcnow(), "last_seq": 0, "deleted_at": utcnow() if deleted else None}
            for i, name, public, deleted in GROUPS
        ],
    )  # fmt: skip


async def _names(url: str) -> dict[int, tuple[str, str | None]]:
    async with opened(url) as db:
        rows = await db.read(
            lambda tx: tx.conn.execute(select(Chat.id, Chat.name, Chat.public_name_key)).all()
        )
    return {chat_id: (name, key) for chat_id, name, key in rows}


async def _insert(url: str, **values) -> None:
    async with opened(url) as db:
        await db.write(lambda tx: tx.conn.execute(insert(Chat).values(**values)))


async def _seed_at(url: str) -> None:
    async with opened(url) as db:
        await db.write(_seed)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_upgrade_renames_later_duplicates_and_the_index_holds(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        upgrade(url, "0003")
        asyncio.run(_seed_at(url))
        upgrade(url)
        names = asyncio.run(_names(url))
        assert names[1] == ("design", "design")
        assert names[2] == ("Design (3)", "design (3)")
        assert names[3] == ("DESIGN", None) and names[4] == ("design", None)
        assert names[5] == ("design (2)", "design (2)")
        assert names[6] == ("x" * 80, "x" * 80)
        assert names[7] == ("X" * 76 + " (2)", "x" * 76 + " (2)")
        duplicate = {"id": 8, "kind": "group", "name": "DeSign", "description": "",
                     "is_public": True, "created_at": utcnow(), "last_seq": 0,
                     "public_name_key": "design"}  # fmt: skip
        with pytest.raises(IntegrityError):
            asyncio.run(_insert(url, **duplicate))

        command.downgrade(alembic_config(url), "0003")
        upgrade(url)  # and up again over the renamed groups
        assert asyncio.run(_names(url))[2] == ("Design (3)", "design (3)")

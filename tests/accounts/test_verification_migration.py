"""Migration 0014 counts the accounts already there as verified: turning verification on later
doesn't stop them posting."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from chinwag.accounts.models import User
from chinwag.db.base import utcnow
from chinwag.db.migrate import upgrade
from tests.search.test_migration import empty_database, opened

CREATED = utcnow().replace(microsecond=0) - timedelta(days=3)


async def _add_account(url: str) -> None:
    account = {"id": 1, "email": "old@example.com", "username": "old", "password_hash": "x",
               "display_name": "Old", "bio": "", "settings": {}, "is_active": True,
               "is_site_admin": False, "created_at": CREATED,
               "email_missed_messages": True}  # fmt: skip
    async with opened(url) as db:
        await db.write(lambda tx: tx.conn.execute(insert(User.__table__).values(**account)))


async def _verified_at(url: str):
    async with opened(url) as db:
        return await db.read(lambda tx: tx.conn.scalar(select(User.email_verified_at)))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_accounts_there_before_0014_count_as_verified(kind, tmp_path):
    with empty_database(kind, tmp_path) as url:
        upgrade(url, "0011")
        asyncio.run(_add_account(url))
        assert asyncio.run(_verified_at(url)) is None
        upgrade(url, "0014")
        assert asyncio.run(_verified_at(url)) == CREATED

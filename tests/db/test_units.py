"""Units of work and group commit, on SQLite and PostgreSQL: a unit that fails in the middle
of a batch fails alone, its neighbours commit, and every caller hears only after the commit."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from chinwag.accounts.models import User
from chinwag.db.units import is_transactional, transactional
from chinwag.errors import Forbidden
from chinwag.search.service import find_messages


def _add_user(db, name: str) -> int:
    return db.scalar(
        insert(User).values(email=f"{name}@example.com", username=name, password_hash="x")
        .returning(User.id)
    )  # fmt: skip


def _rename_then_refuse(db, user_id: int) -> None:
    db.execute(update(User).where(User.id == user_id).values(display_name="changed"))
    raise Forbidden("no", code="refused")


def _rename_then_collide(db, user_id: int) -> None:
    db.execute(update(User).where(User.id == user_id).values(display_name="changed"))
    _add_user(db, "first")  # taken: the unique index refuses it


def _names(db) -> dict[str, str]:
    return dict(db.execute(select(User.username, User.display_name)).all())


async def _one_batch(ctx, *units) -> list:
    """Run `units` (fn, *args) as one batch: on SQLite the writer is held by a first unit
    until all of them are queued; PostgreSQL lanes take what is queued (same key, same lane).
    A task runs up to its first suspension when the loop next turns, so one `sleep(0)` after
    creating tasks is enough for each to have queued its unit (no timing involved)."""
    release = threading.Event()
    holder = None
    if ctx.db.dialect == "sqlite":
        holder = asyncio.ensure_future(ctx.db.write(lambda db: release.wait(10)))
        await asyncio.sleep(0)
    calls = [asyncio.ensure_future(ctx.db.write(fn, *args, key=1)) for fn, *args in units]
    await asyncio.sleep(0)
    release.set()
    if holder is not None:
        await holder
    return await asyncio.gather(*calls, return_exceptions=True)


@pytest.mark.parametrize("failing", [_rename_then_refuse, _rename_then_collide])
async def test_a_failing_unit_fails_alone_and_its_neighbours_commit(ctx, failing):
    first = await ctx.db.write(_add_user, "first")
    results = await _one_batch(ctx, (_add_user, "before"), (failing, first), (_add_user, "after"))
    assert isinstance(results[0], int) and isinstance(results[2], int)
    expected = Forbidden if failing is _rename_then_refuse else IntegrityError
    assert isinstance(results[1], expected), results[1]
    names = await ctx.db.read(_names)
    assert set(names) == {"first", "before", "after"}
    assert names["first"] != "changed"  # the failed unit's own write was undone


async def test_callers_hear_after_the_commit(ctx):
    results = await _one_batch(ctx, *((_add_user, f"u{i}") for i in range(20)))
    assert len(set(results)) == 20
    # Answered means committed: a read on another connection sees every one.
    assert {f"u{i}" for i in range(20)} <= set(await ctx.db.read(_names))


async def test_a_unit_that_fails_commits_nothing_and_the_next_one_works(ctx):
    with pytest.raises(Forbidden):
        await ctx.db.write(_rename_then_refuse, await ctx.db.write(_add_user, "solo"))
    assert (await ctx.db.read(_names))["solo"] != "changed"
    assert await ctx.db.write(_add_user, "next")


def _transaction_of(db) -> int:
    return id(db.conn.get_transaction())


async def test_queued_units_share_one_transaction(ctx):
    # Group commit: what was queued together is committed together.
    assert len(set(await _one_batch(ctx, *((_transaction_of,) for _ in range(10))))) == 1


def _plan_mode_after_set_local(db) -> str:
    db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    return db.execute(text("SHOW plan_cache_mode")).scalar()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SET LOCAL is its
async def test_a_transactional_read_gets_a_transaction_of_its_own(ctx):
    """PostgreSQL runs reads in autocommit, so SET LOCAL would do nothing; search marks its
    unit transactional to plan each query with its own values."""
    assert await ctx.db.read(transactional(_plan_mode_after_set_local)) == "force_custom_plan"
    assert await ctx.db.read(lambda db: db.execute(text("SHOW plan_cache_mode")).scalar()) == "auto"
    assert is_transactional(find_messages)

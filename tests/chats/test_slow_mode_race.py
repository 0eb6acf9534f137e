"""Slow mode across processes (PostgreSQL): the same member's two sends in two transactions
at once, as two workers would run them. The second waits for the first's commit and then
sees its send, so it is refused; without that wait both would pass the check on what each
read before the other stored anything. (SQLite's write lock runs one writer at a time.)"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.db.units import Tx
from chinwag.membership.access import SlowMode
from chinwag.messages import store
from tests.realtime.helpers import call, new_group


def _send(connection, chat_id: int, sender_id: int, words: str):
    return store.send_plain(Tx(connection), chat_id, sender_id, words, f"<p>{words}</p>", None)


async def _waiting_for_a_lock(engine) -> bool:
    async with engine.connect() as probe:
        waiting = await probe.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        )
    return waiting > 0


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_send_racing_the_members_last_one_waits_and_is_refused(
    client, database_url, ana, bob
):
    chat = await new_group(client, ana, bob)
    await call(client, ana, "PATCH", f"/api/chats/{chat['id']}", json={"slow_mode_seconds": 60})
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as first, engine.connect() as second:
            await first.begin()
            await second.begin()
            await first.run_sync(_send, chat["id"], bob.id, "one")  # not committed yet
            racing = asyncio.create_task(second.run_sync(_send, chat["id"], bob.id, "two"))
            for _ in range(500):  # until the second send waits for the first's lock
                if await _waiting_for_a_lock(engine) or racing.done():
                    break
                await asyncio.sleep(0.01)
            assert not racing.done()
            await first.commit()
            with pytest.raises(SlowMode):
                await racing
            await second.rollback()
    finally:
        await engine.dispose()
    texts = [m["text"] for m in await call(client, ana, "GET", f"/api/chats/{chat['id']}/messages")]
    assert "one" in texts and "two" not in texts

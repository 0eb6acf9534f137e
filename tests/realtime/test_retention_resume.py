"""After a retention sweep a reconnecting client's `ready` and history agree: last_seq is
where it was (seqs are never reused), the gap before it is simply shorter, and the next
message carries on from it. The sweep publishes nothing."""

from __future__ import annotations

import pytest

from chinwag.retention.service import sweep_expired
from tests.realtime.helpers import barrier, call, events_of, new_group
from tests.retention.helpers import Clock, just_after


@pytest.fixture
def settings_overrides() -> dict:
    return {"retention_days": 30}


async def test_ready_after_a_sweep_agrees_with_history(people, http, connect, live):
    ana, bob = await people("ana", "bob")
    chat = await new_group(http, ana, bob)
    path = f"/api/chats/{chat['id']}/messages"
    old = [await call(http, ana, "POST", path, 201, json={"text": f"old {n}"}) for n in range(3)]
    watching = await connect(bob)

    sweep = await sweep_expired(live.ctx, just_after(old[-1], days=30), Clock())
    assert sweep.messages >= 3
    await barrier(watching)
    assert events_of(watching, "message.deleted") == []  # a hard delete, told to no one

    again = await connect(bob)
    [seen] = [c for c in again.ready["chats"] if c["id"] == chat["id"]]
    assert seen["last_seq"] == old[-1]["seq"] and seen["unread"] == 0
    assert await call(http, bob, "GET", path, 200, params={"after": 0}) == []
    later = await call(http, ana, "POST", path, 201, json={"text": "later"})
    assert later["seq"] == old[-1]["seq"] + 1

"""`ready` tells the client what this server accepts, so a too-long message is refused (and
kept) in the composer instead of being sent and lost."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings_overrides() -> dict:
    return {"message_max_chars": 123, "upload_max_bytes": 4096}


async def test_ready_carries_the_configured_limits(people, connect):
    [ana] = await people("ana")
    client = await connect(ana)
    assert client.ready["limits"] == {"message_max_chars": 123, "upload_max_bytes": 4096}

"""The retention sweep takes a message's edit history with it (by the foreign key), and
leaves the history of the messages it keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chinwag.messages.models import MessageEdit
from chinwag.retention.service import JOB
from tests.chats.helpers import new_group
from tests.retention.helpers import Clock, just_after, say


@pytest.fixture
def settings_overrides() -> dict:
    return {"retention_days": 30, "retention_sweep_seconds": 3600}


def _kept_versions(db) -> dict[int, int]:
    rows = db.execute(select(MessageEdit.message_id, func.count()).group_by(MessageEdit.message_id))
    return dict(rows.all())


async def edit(client, person, message: dict, text: str) -> None:
    response = await client.patch(
        f"/api/messages/{message['id']}", headers=person.headers, json={"text": text}
    )
    assert response.status_code == 200, response.text


async def test_a_swept_message_takes_its_versions_with_it(client, ctx, ana, bob):
    clock = Clock()
    ctx.scheduler.clock = clock
    chat = await new_group(client, ana, bob)
    old = await say(client, ana, chat["id"], "old words")
    await edit(client, ana, old, "old words, edited")
    await edit(client, ana, old, "old words, edited twice")
    new = await say(client, bob, chat["id"], "new words")
    await edit(client, bob, new, "new words, edited")
    assert new["created_at"] > old["created_at"]
    assert await ctx.db.read(_kept_versions) == {old["id"]: 2, new["id"]: 1}

    clock.set(just_after(old, days=30))
    assert await ctx.scheduler.run_due() == [JOB]

    assert await ctx.db.read(_kept_versions) == {new["id"]: 1}
    response = await client.get(f"/api/messages/{old['id']}/edits", headers=bob.headers)
    assert response.status_code == 404

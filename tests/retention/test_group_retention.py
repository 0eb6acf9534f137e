"""A group's own retention over PATCH /api/chats/{id}: owner only, never longer than the
workspace's, null back to the workspace's; announced in the group and audited."""

from __future__ import annotations

import pytest

from chinwag.admin import store
from tests.chats.helpers import new_group, system_texts
from tests.conftest import assert_error


@pytest.fixture
def settings_overrides() -> dict:
    return {"retention_days": 90}


async def set_retention(client, person, chat_id, days):
    return await client.patch(
        f"/api/chats/{chat_id}", json={"retention_days": days}, headers=person.headers
    )


async def test_the_owner_sets_it_and_everyone_sees_it(client, ctx, ana, bob):
    chat = await new_group(client, ana, bob)
    assert chat["retention_days"] is None
    response = await set_retention(client, ana, chat["id"], 30)
    assert response.status_code == 200, response.text
    assert response.json()["retention_days"] == 30
    seen = await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)
    assert seen.json()["retention_days"] == 30
    cleared = await set_retention(client, ana, chat["id"], None)
    assert cleared.json()["retention_days"] is None
    assert (await system_texts(client, bob, chat["id"]))[-2:] == [
        "@ana set messages to be kept for 30 days",
        "@ana set messages to be kept as long as the workspace keeps them (90 days)",
    ]
    await ctx.db.write(lambda db: store.set_flags(db, ana.id, is_site_admin=True))
    log = (await client.get("/api/admin/audit", headers=ana.headers)).json()
    assert [(e["action"], e["details"]) for e in log[:2]] == [
        ("chat.retention_set", {"chat_id": chat["id"], "retention_days": None}),
        ("chat.retention_set", {"chat_id": chat["id"], "retention_days": 30}),
    ]


async def test_setting_the_same_again_changes_nothing(client, ana, bob):
    chat = await new_group(client, ana, bob)
    await set_retention(client, ana, chat["id"], 30)
    again = await set_retention(client, ana, chat["id"], 30)
    assert again.status_code == 200
    texts = await system_texts(client, ana, chat["id"])
    assert texts.count("@ana set messages to be kept for 30 days") == 1


async def test_only_the_owner_sets_it(client, ana, bob):
    chat = await new_group(client, ana, bob)
    promoted = await client.patch(
        f"/api/chats/{chat['id']}/members/{bob.id}", json={"role": "admin"}, headers=ana.headers
    )
    assert promoted.status_code == 200, promoted.text
    assert_error(await set_retention(client, bob, chat["id"], 7), 403)
    # an admin still renames the group
    renamed = await client.patch(
        f"/api/chats/{chat['id']}", json={"name": "renamed"}, headers=bob.headers
    )
    assert renamed.status_code == 200
    assert renamed.json()["retention_days"] is None


@pytest.mark.parametrize("days", [91, 0, -1, 36501, "soon", 1.5])
async def test_out_of_range_is_refused(client, ana, days):
    chat = await new_group(client, ana)
    assert_error(await set_retention(client, ana, chat["id"], days), 422)
    seen = await client.get(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert seen.json()["retention_days"] is None


async def test_longer_than_the_workspace_names_the_limit(client, ana):
    chat = await new_group(client, ana)
    response = await set_retention(client, ana, chat["id"], 91)
    error = assert_error(response, 422, "retention_too_long")
    assert "90 days" in error["message"]


async def test_a_direct_chat_has_none_of_its_own(client, ana, bob):
    direct = await client.post("/api/chats/direct", json={"user_id": bob.id}, headers=ana.headers)
    assert_error(await set_retention(client, ana, direct.json()["id"], 7), 400, "direct_chat")

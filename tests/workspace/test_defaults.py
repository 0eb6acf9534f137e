"""A fresh install's first account founds a public "general" that every newcomer joins; the
groups newcomers join and who may create public groups are the site admins' to change."""

from __future__ import annotations

import pytest

from chinwag.admin import store as admin_store
from tests.realtime.helpers import call


@pytest.fixture
def settings_overrides() -> dict:
    return {"default_group": "general"}


async def chat_names(client, person) -> list[str]:
    return [c["name"] for c in await call(client, person, "GET", "/api/chats")]


@pytest.fixture
async def admin(ctx, signup):
    ana = await signup("ana")
    await ctx.db.write(lambda db: admin_store.set_flags(db, ana.id, is_site_admin=True))
    return ana


async def test_the_first_account_founds_general_and_everyone_joins_it(client, admin, signup):
    [general] = await call(client, admin, "GET", "/api/chats")
    assert general["name"] == "general" and general["is_public"] and general["role"] == "owner"
    bob = await signup("bob")
    assert await chat_names(client, bob) == ["general"]
    members = await call(client, admin, "GET", f"/api/chats/{general['id']}/members")
    assert {m["user"]["username"] for m in members} == {"ana", "bob"}
    settings = await call(client, admin, "GET", "/api/admin/workspace")
    assert settings["default_group_ids"] == [general["id"]]


async def test_admins_choose_the_groups_newcomers_join(client, admin, signup):
    design = await call(client, admin, "POST", "/api/chats", 201, json={"name": "design"})
    changed = await call(
        client, admin, "PATCH", "/api/admin/workspace", json={"default_group_ids": [design["id"]]}
    )
    assert changed["default_group_ids"] == [design["id"]]
    assert await chat_names(client, await signup("bob")) == ["design"]
    await call(client, admin, "PATCH", "/api/admin/workspace", json={"default_group_ids": []})
    assert await chat_names(client, await signup("cyd")) == []
    missing = {"default_group_ids": [999]}
    await call(client, admin, "PATCH", "/api/admin/workspace", 404, json=missing)


async def test_public_groups_can_be_left_to_site_admins(client, admin, signup):
    bob = await signup("bob")
    await call(client, admin, "PATCH", "/api/admin/workspace", json={"public_groups_by": "admins"})
    public = {"name": "open plan", "is_public": True}
    refused = await call(client, bob, "POST", "/api/chats", 403, json=public)
    assert refused["error"]["code"] == "public_groups_restricted"
    private = await call(client, bob, "POST", "/api/chats", 201, json={"name": "bob's"})
    opened = await call(
        client, bob, "PATCH", f"/api/chats/{private['id']}", 403, json={"is_public": True}
    )
    assert opened["error"]["code"] == "public_groups_restricted"
    assert (await call(client, admin, "POST", "/api/chats", 201, json=public))["is_public"]
    await call(client, admin, "PATCH", "/api/admin/workspace", 422, json={"public_groups_by": "x"})
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert log[0]["details"] == {"public_groups_by": "admins"}


async def test_a_change_is_audited_with_only_what_changed(client, admin):
    [general] = await call(client, admin, "GET", "/api/chats")
    every = {
        "name": "chinwag",
        "registration": "open",
        "default_group_ids": [general["id"]],
        "public_groups_by": "admins",
    }
    await call(client, admin, "PATCH", "/api/admin/workspace", json=every)
    await call(client, admin, "PATCH", "/api/admin/workspace", json=every)  # nothing changes
    await call(
        client, admin, "PATCH", "/api/admin/workspace", json={**every, "default_group_ids": []}
    )
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert [(e["action"], e["details"]) for e in log] == [
        ("workspace.changed", {"default_group_ids": []}),
        ("workspace.changed", {"public_groups_by": "admins"}),
    ]

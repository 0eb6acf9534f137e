"""Site administration over REST: only site admins, accounts listed and searched,
deactivation (sessions end, sign-in refused, profile says so), reactivation, the site admin
flag with at least one kept, and every change in the audit log."""

from __future__ import annotations

import pytest

from chinwag.admin import store
from tests.realtime.helpers import call


@pytest.fixture
async def admin(ctx, signup):
    """ana, a site administrator."""
    ana = await signup("ana")
    await ctx.db.write(lambda db: store.set_flags(db, ana.id, is_site_admin=True))
    return ana


ROUTES = [
    ("GET", "/api/admin/users", None),
    ("POST", "/api/admin/users/1/deactivate", None),
    ("POST", "/api/admin/users/1/reactivate", None),
    ("PATCH", "/api/admin/users/1", {"is_site_admin": True}),
    ("GET", "/api/admin/audit", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_only_site_admins_get_in(client, bob, method, path, body):
    error = await call(client, bob, method, path, 403, json=body)
    assert error["error"]["code"] == "site_admin_only"
    anonymous = await client.request(method, path, json=body)
    assert anonymous.status_code == 401


async def test_accounts_are_listed_searched_and_paged(client, admin, signup):
    for name in ("bob", "cyd", "dan"):
        await signup(name)
    everyone = await call(client, admin, "GET", "/api/admin/users")
    assert [u["username"] for u in everyone] == ["ana", "bob", "cyd", "dan"]
    assert everyone[0]["email"] == "ana@example.com" and everyone[0]["is_site_admin"]
    found = await call(client, admin, "GET", "/api/admin/users", params={"q": "CYD@exa"})
    assert [u["username"] for u in found] == ["cyd"]
    page = await call(client, admin, "GET", "/api/admin/users", params={"limit": 2})
    rest = await call(
        client, admin, "GET", "/api/admin/users", params={"after": page[-1]["username"]}
    )
    assert [u["username"] for u in page + rest] == ["ana", "bob", "cyd", "dan"]


async def test_a_deactivated_account_is_signed_out_and_refused(client, admin, bob):
    user = await call(client, admin, "POST", f"/api/admin/users/{bob.id}/deactivate")
    assert user["is_active"] is False
    # Its access and refresh tokens stop at once.
    assert (await client.get("/api/users/me", headers=bob.headers)).status_code == 401
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert refreshed.status_code == 401
    # The right password hears why; a wrong one learns nothing.
    login = {"login": "bob", "password": bob.password}
    refused = await client.post("/api/auth/login", json=login)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account_deactivated"
    wrong = await client.post("/api/auth/login", json={**login, "password": "not the one"})
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    # Everyone still sees who wrote their messages, marked deactivated; search skips them.
    profile = await call(client, admin, "GET", f"/api/users/{bob.id}")
    assert profile["deactivated"] is True
    assert await call(client, admin, "GET", "/api/users", params={"q": "bob"}) == []
    listed = await call(client, admin, "GET", "/api/admin/users", params={"q": "bob"})
    assert listed[0]["is_active"] is False


async def test_reactivation_lets_them_sign_in_again(client, admin, bob):
    await call(client, admin, "POST", f"/api/admin/users/{bob.id}/deactivate")
    user = await call(client, admin, "POST", f"/api/admin/users/{bob.id}/reactivate")
    assert user["is_active"] is True
    login = await client.post("/api/auth/login", json={"login": "bob", "password": bob.password})
    assert login.status_code == 200
    assert login.json()["user"]["deactivated"] is False


async def test_admins_can_not_lock_the_workspace_out(client, admin, bob):
    itself = await call(client, admin, "POST", f"/api/admin/users/{admin.id}/deactivate", 409)
    assert itself["error"]["code"] == "cannot_deactivate_self"
    last = await call(
        client, admin, "PATCH", f"/api/admin/users/{admin.id}", 409, json={"is_site_admin": False}
    )
    assert last["error"]["code"] == "last_site_admin"
    made = await call(
        client, admin, "PATCH", f"/api/admin/users/{bob.id}", json={"is_site_admin": True}
    )
    assert made["is_site_admin"] is True
    await call(
        client, admin, "PATCH", f"/api/admin/users/{admin.id}", json={"is_site_admin": False}
    )
    # ana is no longer one: the admin API is closed to her now.
    closed = await call(client, admin, "GET", "/api/admin/users", 403)
    assert closed["error"]["code"] == "site_admin_only"


async def test_bad_input_gets_a_clear_error(client, admin):
    missing = await call(client, admin, "POST", "/api/admin/users/999999/deactivate", 404)
    assert missing["error"]["code"] == "not_found"
    await call(client, admin, "PATCH", "/api/admin/users/1", 422, json={"is_site_admin": "x"})
    await call(client, admin, "PATCH", "/api/admin/users/1", 422, json={"is_active": False})
    await call(client, admin, "GET", "/api/admin/users", 422, params={"limit": 0})
    await call(client, admin, "GET", "/api/admin/audit", 422, params={"before": -1})


async def test_every_change_is_in_the_audit_log_newest_first(client, admin, bob):
    await call(client, admin, "POST", f"/api/admin/users/{bob.id}/deactivate")
    await call(client, admin, "POST", f"/api/admin/users/{bob.id}/deactivate")  # no change
    await call(client, admin, "POST", f"/api/admin/users/{bob.id}/reactivate")
    await call(client, admin, "PATCH", f"/api/admin/users/{bob.id}", json={"is_site_admin": True})
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert [e["action"] for e in log] == [
        "user.site_admin_granted",
        "user.reactivated",
        "user.deactivated",
    ]
    assert {(e["actor_username"], e["target_username"]) for e in log} == {("ana", "bob")}
    assert log[-1]["details"] == {"sessions_revoked": 1}
    older = await call(client, admin, "GET", "/api/admin/audit", params={"before": log[0]["id"]})
    assert older == log[1:]


async def test_my_own_profile_says_whether_i_am_a_site_admin(client, admin, bob):
    """The web client shows its Administration entry from this flag."""
    assert (await call(client, admin, "GET", "/api/users/me"))["is_site_admin"] is True
    assert (await call(client, bob, "GET", "/api/users/me"))["is_site_admin"] is False

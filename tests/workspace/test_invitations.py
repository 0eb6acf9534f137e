"""Who may sign up (open, invite_only, closed) and invitation links: use limits, expiry,
an address of their own (mailed), groups joined, revoking, the join page's preview, and
every change in the audit log."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re

import pytest

from chinwag.admin import store as admin_store
from chinwag.workspace import store
from tests.realtime.helpers import call

LINK = re.compile(r"http://testserver/#/join\?invitation=([A-Za-z0-9_-]+)")
PASSWORD = "correct horse battery"


def newcomer(name: str, invitation: str | None = None, email_address: str | None = None):
    body = {"email": email_address or f"{name}@example.com", "username": name, "password": PASSWORD}
    return body if invitation is None else {**body, "invitation": invitation}


@pytest.fixture
async def admin(ctx, signup):
    ana = await signup("ana")
    await ctx.db.write(lambda db: admin_store.set_flags(db, ana.id, is_site_admin=True))
    return ana


async def invitation(client, admin, **body) -> str:
    made = await call(client, admin, "POST", "/api/admin/invitations", 201, json=body)
    return LINK.fullmatch(made["link"]).group(1)


async def set_registration(client, admin, mode: str) -> None:
    body = await call(client, admin, "PATCH", "/api/admin/workspace", json={"registration": mode})
    assert body["registration"] == mode


async def test_a_fresh_workspace_is_open_and_says_so(client):
    assert (await client.get("/api/workspace")).json() == {
        "name": "chinwag",
        "registration": "open",
        "sso_name": None,  # no single sign-on set up (tests/accounts/test_sso*.py)
        "password_signin": True,
    }
    assert (await client.post("/api/auth/register", json=newcomer("eve"))).status_code == 201


async def test_closed_refuses_every_sign_up_even_with_an_invitation(client, admin):
    token = await invitation(client, admin)
    await set_registration(client, admin, "closed")
    for body in (newcomer("eve"), newcomer("eve", token)):
        refused = await client.post("/api/auth/register", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "registration_closed"


async def test_invite_only_needs_a_valid_invitation(client, admin):
    await set_registration(client, admin, "invite_only")
    bare = await client.post("/api/auth/register", json=newcomer("eve"))
    assert bare.json()["error"]["code"] == "invitation_required"
    forged = await client.post("/api/auth/register", json=newcomer("eve", "x" * 43))
    assert forged.json()["error"]["code"] == "invitation_invalid"
    token = await invitation(client, admin)
    assert (await client.post("/api/auth/register", json=newcomer("eve", token))).status_code == 201
    # One use by default: the next one is refused, and nothing was created for it.
    again = await client.post("/api/auth/register", json=newcomer("fay", token))
    assert again.status_code == 403 and again.json()["error"]["code"] == "invitation_invalid"
    login = await client.post("/api/auth/login", json={"login": "fay", "password": PASSWORD})
    assert login.status_code == 401


async def test_racing_sign_ups_never_use_an_invitation_more_often_than_allowed(client, admin):
    token = await invitation(client, admin, max_uses=2)
    answers = await asyncio.gather(
        *(client.post("/api/auth/register", json=newcomer(f"racer{i}", token)) for i in range(5))
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 403, 403, 403]


async def test_a_refused_sign_up_spends_no_use(client, admin, bob):
    token = await invitation(client, admin)
    taken = await client.post("/api/auth/register", json=newcomer("bob", token, "b@example.com"))
    assert taken.status_code == 409  # the username is taken: the invitation is still there
    mailed = await client.post("/api/auth/register", json=newcomer("bobby", token, bob.email))
    assert mailed.status_code == 202  # the address has an account: its owner is mailed
    assert (await client.post("/api/auth/register", json=newcomer("eve", token))).status_code == 201


async def test_an_invitation_for_an_address_is_mailed_and_for_it_only(client, ctx, admin, settings):
    token = await invitation(client, admin, email="eve@example.com")
    await ctx.mail.drain()
    [path] = sorted((settings.data_dir / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail["To"] == "eve@example.com"
    assert LINK.search(mail.get_body().get_content()).group(1) == token
    other = await client.post(
        "/api/auth/register", json=newcomer("mallory", token, "mallory@example.com")
    )
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "invitation_invalid"
    mine = await client.post("/api/auth/register", json=newcomer("eve", token, "EVE@example.com"))
    assert mine.status_code == 201


async def test_the_newcomer_joins_the_invitations_groups(client, admin):
    group = await call(client, admin, "POST", "/api/chats", 201, json={"name": "design"})
    token = await invitation(client, admin, chat_ids=[group["id"]])
    preview = (await client.get(f"/api/invitations/{token}")).json()
    assert preview["workspace"] == "chinwag" and preview["groups"] == ["design"]
    assert preview["invited_by"] == "ana" and preview["email"] is None
    await client.post("/api/auth/register", json=newcomer("eve", token))
    signed = await client.post("/api/auth/login", json={"login": "eve", "password": PASSWORD})
    eve_headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    chats = (await client.get("/api/chats", headers=eve_headers)).json()
    assert [c["name"] for c in chats] == ["design"]
    members = await call(client, admin, "GET", f"/api/chats/{group['id']}/members")
    assert {m["user"]["username"] for m in members} == {"ana", "eve"}


async def test_revoked_and_expired_invitations_are_refused(client, ctx, admin):
    revoked = await invitation(client, admin)
    expired = await invitation(client, admin)
    [newer, older] = await call(client, admin, "GET", "/api/admin/invitations")
    await call(client, admin, "DELETE", f"/api/admin/invitations/{older['id']}", 204)
    await call(client, admin, "DELETE", f"/api/admin/invitations/{older['id']}", 404)

    def expire(db) -> None:
        from sqlalchemy import update

        db.execute(update(store.INV).where(store.INV.c.id == newer["id"]).values(
            expires_at=store.INV.c.created_at
        ))  # fmt: skip

    await ctx.db.write(expire)
    for token in (revoked, expired):
        assert (await client.get(f"/api/invitations/{token}")).status_code == 404
        refused = await client.post("/api/auth/register", json=newcomer("eve", token))
        assert refused.json()["error"]["code"] == "invitation_invalid"
    listed = await call(client, admin, "GET", "/api/admin/invitations")
    assert [i["revoked"] for i in listed] == [False, True]


async def test_bad_input_and_other_people_get_clear_errors(client, admin, bob):
    await call(client, bob, "POST", "/api/admin/invitations", 403, json={})
    await call(client, bob, "PATCH", "/api/admin/workspace", 403, json={"name": "x"})
    for body in (
        {"max_uses": 0},
        {"expires_in_days": 31},
        {"email": "not an address"},
        {"chat_ids": [0]},
        {"chat_ids": [2**40]},
        {"whatever": 1},
    ):
        await call(client, admin, "POST", "/api/admin/invitations", 422, json=body)
    missing = await call(
        client, admin, "POST", "/api/admin/invitations", 404, json={"chat_ids": [999]}
    )
    assert missing["error"]["code"] == "not_found"
    await call(client, admin, "PATCH", "/api/admin/workspace", 422, json={"registration": "maybe"})
    assert (await client.get("/api/invitations/short")).status_code == 422


async def test_workspace_changes_and_invitations_are_audited(client, admin):
    await call(client, admin, "PATCH", "/api/admin/workspace", json={"name": "Acme"})
    await call(client, admin, "PATCH", "/api/admin/workspace", json={"name": "Acme"})  # same
    await invitation(client, admin, email="eve@example.com")
    [made] = await call(client, admin, "GET", "/api/admin/invitations")
    await call(client, admin, "DELETE", f"/api/admin/invitations/{made['id']}", 204)
    log = await call(client, admin, "GET", "/api/admin/audit")
    assert [e["action"] for e in log] == [
        "invitation.revoked",
        "invitation.created",
        "workspace.changed",
    ]
    assert log[1]["details"] == {
        "invitation_id": made["id"],
        "email": "eve@example.com",
        "max_uses": 1,
    }
    assert log[2]["details"] == {"name": "Acme"}
    assert (await client.get("/api/workspace")).json()["name"] == "Acme"


@pytest.fixture
def settings_overrides(request) -> dict:
    return getattr(request, "param", {})


@pytest.mark.parametrize("settings_overrides", [{"registration": "invite_only"}], indirect=True)
async def test_the_environment_sets_the_mode_until_an_admin_changes_it(client, ctx):
    from chinwag.accounts.schemas import RegisterIn
    from chinwag.accounts.service import create_user

    assert (await client.get("/api/workspace")).json()["registration"] == "invite_only"
    assert (await client.post("/api/auth/register", json=newcomer("eve"))).status_code == 403
    # The operator's first account comes from the command line, whatever the mode.
    await create_user(ctx, RegisterIn(**newcomer("ana")), site_admin=True)
    signed = await client.post("/api/auth/login", json={"login": "ana", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    changed = await client.patch(
        "/api/admin/workspace", json={"registration": "open"}, headers=headers
    )
    assert changed.json()["registration"] == "open"
    assert (await client.post("/api/auth/register", json=newcomer("eve"))).status_code == 201

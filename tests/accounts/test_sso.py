"""Single sign-on against a real OpenID provider (oidc-provider, run by these tests): the
first sign-in makes the account, the next ones sign into it, an existing account with the
verified email is linked; a wrong nonce, an unverified email, a tampered, replayed or other
browser's state, a deactivated account and a closed workspace are refused."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from chinwag.accounts.models import User
from chinwag.admin.models import AuditEntry
from chinwag.sso.models import SsoIdentity
from tests.accounts.oidc import (
    CALLBACK,
    CHINWAG,
    CLIENT_SECRET,
    running_provider,
    signed_in,
    sso_answer,
    sso_error,
    through_provider,
)
from tests.conftest import assert_error


@pytest.fixture(scope="module")
def provider():
    with running_provider([CALLBACK]) as running:
        yield running


@pytest.fixture
def settings_overrides(provider) -> dict:
    return provider.settings()


@pytest.fixture
def count_users(ctx):
    async def count(email: str) -> int:
        def read(db) -> int:
            where = func.lower(User.email) == email.lower()
            return db.scalar(select(func.count()).select_from(User).where(where))

        return await ctx.db.read(read)

    return count


async def test_the_first_sign_in_makes_the_account_and_the_next_signs_into_it(client, ctx):
    first = await signed_in(client, await sso_answer(client, "alice"))
    user = first["user"]
    assert (user["username"], user["email"]) == ("alice", "alice@example.com")
    assert user["display_name"] == "Alice Liddell"
    me = await client.get("/api/users/me", headers=auth(first))
    assert me.status_code == 200 and me.json()["id"] == user["id"]

    client.cookies.clear()  # another browser, the same person
    again = await signed_in(client, await sso_answer(client, "alice"))
    assert again["user"]["id"] == user["id"]
    sessions = await client.get("/api/users/me/sessions", headers=auth(again))
    assert len(sessions.json()) == 2  # one session per sign-in, as by password


async def test_a_new_account_takes_a_free_username(client):
    taken = {"email": "someone@example.com", "username": "alice", "password": "x" * 12}
    assert (await client.post("/api/auth/register", json=taken)).status_code == 201
    body = await signed_in(client, await sso_answer(client, "alice"))
    assert body["user"]["username"] == "alice2"
    other = await signed_in(client, await sso_answer(client, "alice2"))
    assert other["user"]["username"] == "alice3"


async def test_an_existing_account_with_the_verified_email_is_linked(client, signup, login, ctx):
    carol = await signup("carol")  # carol@example.com; the provider says Carol@Example.com
    body = await signed_in(client, await sso_answer(client, "carol"))
    assert body["user"]["id"] == carol.id
    assert body["user"]["username"] == "carol"
    # Its address was never proven here: what was set before it was (maybe by someone
    # else) stops working, the password and the sessions.
    assert_error(await login("carol", carol.password), 401, "invalid_credentials")
    stale = await client.post("/api/auth/refresh", json={"refresh_token": carol.refresh_token})
    assert_error(stale, 401, "invalid_token")
    linked = await ctx.db.read(lambda db: db.scalars(select(SsoIdentity.user_id)).all())
    assert linked == [carol.id]
    audited = await ctx.db.read(lambda db: db.execute(select(AuditEntry)).scalars().all())
    assert [(a.action, a.target_user_id) for a in audited] == [("user.sso_linked", carol.id)]
    assert audited[0].details["password_cleared"] is True

    client.cookies.clear()
    again = await signed_in(client, await sso_answer(client, "carol"))
    assert again["user"]["id"] == carol.id


async def test_an_unverified_email_is_refused(client, count_users):
    assert sso_error(await sso_answer(client, "eve")) == "sso_email_unverified"
    assert await count_users("eve@example.com") == 0


async def test_an_unverified_email_links_no_account(client, signup, login):
    eve = await signup("eve")  # eve@example.com, like the provider's unverified one
    assert sso_error(await sso_answer(client, "eve")) == "sso_email_unverified"
    assert (await login("eve", eve.password)).status_code == 200  # untouched


async def test_an_id_token_with_another_nonce_is_refused(client, count_users):
    # The provider puts the nonce it was given into the ID token: a real token, signed and
    # addressed to us, whose nonce isn't the one this sign-in made.
    answer = await sso_answer(client, "alice", nonce="a-nonce-someone-else-made")
    assert sso_error(answer) == "sso_nonce_mismatch"
    assert await count_users("alice@example.com") == 0
    assert (await client.post("/api/auth/refresh")).status_code == 401


async def test_a_tampered_state_is_refused(client, count_users):
    answer = await sso_answer(client, "alice", state="a-state-chinwag-never-made")
    assert sso_error(answer) == "sso_state_invalid"
    assert await count_users("alice@example.com") == 0


async def test_a_state_is_used_once(client):
    started = await client.get("/api/auth/oidc/start")
    browser = client.cookies.get("chinwag_sso")
    back = await through_provider(started.headers["location"], "alice", f"{CHINWAG}/")
    first = await client.get(back.removeprefix(CHINWAG))
    await signed_in(client, first)
    # The same browser (its cookie put back) brings the same answer again.
    replayed = await client.get(
        back.removeprefix(CHINWAG), headers={"Cookie": f"chinwag_sso={browser}"}
    )
    assert sso_error(replayed) == "sso_state_invalid"


async def test_a_state_from_another_browser_is_refused(client, app):
    started = await client.get("/api/auth/oidc/start")
    back = await through_provider(started.headers["location"], "alice", f"{CHINWAG}/")
    # Someone else's browser (no sign-in cookie, or its own) brings the answer back.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=CHINWAG) as other:
        await other.get("/api/auth/oidc/start")  # a cookie of its own sign-in
        assert sso_error(await other.get(back.removeprefix(CHINWAG))) == "sso_state_invalid"
    # The sign-in it started is still the first browser's, and was not spent.
    await signed_in(client, await client.get(back.removeprefix(CHINWAG)))


async def test_a_provider_error_is_shown(client):
    started = await client.get("/api/auth/oidc/start")
    state = dict(httpx.URL(started.headers["location"]).params)["state"]
    answer = await client.get(
        "/api/auth/oidc/callback", params={"state": state, "error": "access_denied"}
    )
    assert sso_error(answer) == "sso_provider_error"


async def test_an_answer_without_or_with_another_issuer_is_refused(client):
    # oidc-provider says it names itself in every answer (RFC 9207): chinwag holds it to it.
    for iss in (None, "https://elsewhere.example.com"):
        started = await client.get("/api/auth/oidc/start")
        back = await through_provider(started.headers["location"], "alice", f"{CHINWAG}/")
        url = httpx.URL(back)
        params = dict(url.params)
        assert "iss" in params
        params.pop("iss")
        if iss:
            params["iss"] = iss
        answer = await client.get("/api/auth/oidc/callback", params=params)
        assert sso_error(answer) == "sso_provider_error"
    assert (await client.post("/api/auth/refresh")).status_code == 401


async def test_a_deactivated_account_is_refused(client, signup, deactivate, db_update):
    first = await signed_in(client, await sso_answer(client, "alice"))
    await db_update(User, User.id == first["user"]["id"], is_active=False)
    client.cookies.clear()
    assert sso_error(await sso_answer(client, "alice")) == "account_deactivated"
    cyd = await signup("carol")
    await deactivate(cyd)  # found by email, not linked: refused the same way
    assert sso_error(await sso_answer(client, "carol")) == "account_deactivated"


async def test_a_closed_workspace_takes_no_newcomer_but_signs_members_in(
    client, ctx, signup, count_users
):
    from chinwag.workspace import service as workspace

    carol = await signup("carol")
    await workspace.change(ctx, carol.id, {"registration": "closed"})
    assert sso_error(await sso_answer(client, "alice")) == "registration_closed"
    assert await count_users("alice@example.com") == 0
    body = await signed_in(client, await sso_answer(client, "carol"))  # linked: an account
    assert body["user"]["id"] == carol.id


async def test_a_newcomer_joins_the_default_groups(client, ctx, signup):
    from chinwag.workspace import service as workspace

    ops = await signup("ops")
    made = await client.post(
        "/api/chats", json={"name": "Lobby", "is_public": True}, headers=ops.headers
    )
    await workspace.change(ctx, ops.id, {"default_group_ids": [made.json()["id"]]})
    body = await signed_in(client, await sso_answer(client, "alice"))
    chats = await client.get("/api/chats", headers=auth(body))
    assert [chat["name"] for chat in chats.json()] == ["Lobby"]


async def test_workspace_says_how_to_sign_in(client):
    body = (await client.get("/api/workspace")).json()
    assert body["sso_name"] == "Test ID"
    assert body["password_signin"] is True


async def test_nothing_secret_is_logged(client, chinwag_records):
    started = await client.get("/api/auth/oidc/start")
    back = await through_provider(started.headers["location"], "alice", f"{CHINWAG}/")
    body = await signed_in(client, await client.get(back.removeprefix(CHINWAG)))
    query = dict(httpx.URL(back).params)
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in chinwag_records)
    assert "signed in by single sign-on" in logged
    for secret in (query["code"], query["state"], CLIENT_SECRET, body["refresh_token"]):
        assert secret not in logged


def auth(body: dict) -> dict:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def test_an_invitation_lets_a_newcomer_into_an_invite_only_workspace(client, ctx, signup):
    from chinwag.workspace import service as workspace

    ops = await signup("ops")
    await workspace.change(ctx, ops.id, {"registration": "invite_only"})
    assert sso_error(await sso_answer(client, "alice")) == "invitation_required"
    ops_user = await ctx.db.read(lambda db: db.get(User, ops.id))
    _, link, _ = await workspace.invite(ctx, ops_user, None, 1, 1, [])
    token = link.partition("invitation=")[2]
    body = await signed_in(client, await sso_answer(client, "alice", query=f"?invitation={token}"))
    assert body["user"]["username"] == "alice"
    client.cookies.clear()  # the invitation is used up: the next newcomer is refused
    used = await sso_answer(client, "alice2", query=f"?invitation={token}")
    assert sso_error(used) == "invitation_invalid"

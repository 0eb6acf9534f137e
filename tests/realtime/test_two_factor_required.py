"""A workspace that requires two-factor sign-in: an account without it signs in, but its
token opens only the setup (and /me, signing out) until it sets it up: every other endpoint
and the socket answer 403 two_factor_setup_required. Set up and refreshed, it goes on."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from chinwag.admin import store as audit_store
from tests.conftest import Person
from tests.realtime.helpers import call
from tests.twofactor.helpers import enable

SETUP_REQUIRED = "two_factor_setup_required"


def ws_url(live, token: str) -> str:
    return live.url.replace("http", "ws", 1) + f"/ws?token={token}"


async def refused_socket(live, token: str) -> dict:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(ws_url(live, token)) as socket:
            pytest.fail(f"accepted, first frame: {await socket.recv()}")
    assert refused.value.response.status_code == 403
    return json.loads(refused.value.response.body)


async def require(http, admin: Person, on: bool) -> None:
    body = {"require_two_factor": on}
    settings = await call(http, admin, "PATCH", "/api/admin/workspace", json=body)
    assert settings["require_two_factor"] is on


async def test_accounts_without_it_may_only_set_it_up(live, http, people):
    ana, bob = await people("ana", "bob")
    await live.ctx.db.write(lambda db: audit_store.set_flags(db, ana.id, is_site_admin=True))
    await enable(http, ana)  # the admin sets it up first (her token was never limited)
    await require(http, ana, True)
    audit = await call(http, ana, "GET", "/api/admin/audit")
    assert audit[0]["action"] == "workspace.changed"
    assert audit[0]["details"] == {"require_two_factor": True}

    signed = await http.post("/api/auth/login", json={"login": "bob", "password": bob.password})
    assert signed.status_code == 200, signed.text
    assert signed.json()["two_factor_setup_required"] is True
    bob = bob.signed_in_again(signed.json())
    error = await call(http, bob, "GET", "/api/chats", 403)
    assert error["error"]["code"] == SETUP_REQUIRED
    assert (await refused_socket(live, bob.access_token))["error"]["code"] == SETUP_REQUIRED
    assert (await call(http, bob, "GET", "/api/users/me"))["id"] == bob.id
    status = await call(http, bob, "GET", "/api/users/me/two-factor")
    assert status["required"] is True and status["enabled"] is False

    await enable(http, bob)
    # The old token keeps its limit; a refreshed one is whole.
    await call(http, bob, "GET", "/api/chats", 403)
    refreshed = await http.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["two_factor_setup_required"] is False
    bob = bob.signed_in_again(refreshed.json())
    assert await call(http, bob, "GET", "/api/chats") == []
    async with websockets.connect(ws_url(live, bob.access_token)) as socket:
        assert json.loads(await socket.recv())["type"] == "ready"


async def test_signing_out_stays_open_and_a_lifted_requirement_frees_new_tokens(live, http, people):
    ana, bob = await people("ana", "bob")
    await live.ctx.db.write(lambda db: audit_store.set_flags(db, ana.id, is_site_admin=True))
    await require(http, ana, True)
    # The admin without it is limited too: the requirement is for everyone.
    signed = await http.post("/api/auth/login", json={"login": "ana", "password": ana.password})
    limited = ana.signed_in_again(signed.json())  # another device of hers
    await call(http, limited, "GET", "/api/admin/workspace", 403)
    await call(http, limited, "POST", "/api/auth/logout", 204)
    await call(http, limited, "GET", "/api/users/me", 401)  # signed out indeed
    await call(http, ana, "PATCH", "/api/admin/workspace", json={"require_two_factor": False})

    signed = await http.post("/api/auth/login", json={"login": "bob", "password": bob.password})
    bob = bob.signed_in_again(signed.json())
    assert await call(http, bob, "GET", "/api/chats") == []

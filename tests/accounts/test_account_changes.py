"""Changing one's username and email address with verification off (the default): names are
checked as on sign-up, the people who share a chat are told, and nothing waits for a link."""

from __future__ import annotations

from sqlalchemy import select

from chinwag.accounts.models import EmailVerification
from tests.conftest import assert_error


async def patch_me(client, person, **fields):
    return await client.patch("/api/users/me", json=fields, headers=person.headers)


async def test_a_new_username(client, ana):
    response = await patch_me(client, ana, username="ana.silva")
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "ana.silva"
    login = await client.post(
        "/api/auth/login", json={"login": "ana.silva", "password": ana.password}
    )
    assert login.status_code == 200


async def test_a_taken_username_is_409_whatever_its_case(client, ana, bob):
    assert_error(await patch_me(client, ana, username="BOB"), 409, "username_taken")
    response = await patch_me(client, ana, username="ANA")  # one's own, in another case
    assert response.status_code == 200 and response.json()["username"] == "ANA"


async def test_an_invalid_username_is_422(client, ana):
    for bad in ("x", "has space", "a" * 33, "émile"):
        assert_error(await patch_me(client, ana, username=bad), 422, "validation_error")
    me = await client.get("/api/users/me", headers=ana.headers)
    assert me.json()["username"] == "ana"


async def test_a_display_name_left_empty_falls_back_to_the_new_username(client, ana):
    response = await patch_me(client, ana, username="ana2", display_name="")
    assert response.json()["display_name"] == "ana2"


async def test_off_mode_asks_for_nothing(ctx, client, ana):
    me = (await client.get("/api/users/me", headers=ana.headers)).json()
    assert me["email_verification_required"] is False and me["email_verified"] is False
    chat = await client.post("/api/chats", json={"name": "Team"}, headers=ana.headers)
    sent = await client.post(
        f"/api/chats/{chat.json()['id']}/messages", json={"text": "hi"}, headers=ana.headers
    )
    assert sent.status_code == 201
    change = {"email": "ana@elsewhere.org", "current_password": ana.password}
    response = await patch_me(client, ana, **change)
    assert response.status_code == 200 and response.json()["email"] == "ana@elsewhere.org"
    stored = await ctx.db.read(lambda db: db.scalar(select(EmailVerification.id)))
    assert stored is None  # no link is made, nor mailed


async def test_the_same_address_needs_no_password(client, ana):
    response = await patch_me(client, ana, email=ana.email, display_name="Ana")
    assert response.status_code == 200 and response.json()["display_name"] == "Ana"

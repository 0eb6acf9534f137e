"""Email verification over REST, with a real SMTP server: the link mailed at sign-up, posts
refused until it is followed, tokens that work once and expire, resending (rate limited), and
`off` mode left as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from chinwag.accounts.models import EmailVerification, User
from chinwag.config import SettingsError, load_settings
from chinwag.db.base import utcnow
from tests.accounts.mailbox import mail_to, verification_settings, verification_token
from tests.conftest import assert_error


@pytest.fixture
def settings_overrides(smtp_server) -> dict:
    return verification_settings(smtp_server)


async def me(client, person) -> dict:
    response = await client.get("/api/users/me", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def verify(client, token: str):
    return await client.post("/api/auth/verify-email", json={"token": token})


async def group_of(client, person) -> int:
    response = await client.post("/api/chats", json={"name": "Team"}, headers=person.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def send(client, person, chat_id: int, text: str = "hello"):
    return await client.post(
        f"/api/chats/{chat_id}/messages", json={"text": text}, headers=person.headers
    )


async def test_sign_up_mails_a_link_and_posting_waits_for_it(client, inbox, signup):
    ana = await signup("ana")
    token = await verification_token(inbox, "ana@example.com")
    profile = await me(client, ana)
    assert profile["email_verified"] is False and profile["email_verification_required"]
    chat_id = await group_of(client, ana)  # reading and making a room is allowed
    assert_error(await send(client, ana, chat_id), 403, "email_unverified")
    upload = await client.post(
        "/api/files", files={"file": ("a.txt", b"hi", "text/plain")}, headers=ana.headers
    )
    assert_error(upload, 403, "email_unverified")

    response = await verify(client, token)
    assert response.status_code == 200, response.text
    assert response.json()["email_verified"] is True
    assert (await me(client, ana))["email_verified"] is True
    assert (await send(client, ana, chat_id)).status_code == 201


async def test_the_token_is_stored_hashed(ctx, inbox, signup):
    await signup("ana")
    token = await verification_token(inbox, "ana@example.com")
    stored = await ctx.db.read(lambda db: list(db.scalars(select(EmailVerification.token_hash))))
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


async def test_a_link_works_once(client, inbox, signup):
    await signup("ana")
    token = await verification_token(inbox, "ana@example.com")
    assert (await verify(client, token)).status_code == 200
    assert_error(await verify(client, token), 400, "invalid_token")
    assert_error(await verify(client, "not-a-token"), 400, "invalid_token")


async def test_an_expired_link_is_refused(client, inbox, signup, db_update):
    ana = await signup("ana")
    token = await verification_token(inbox, "ana@example.com")
    past = utcnow() - timedelta(seconds=1)
    await db_update(EmailVerification, EmailVerification.user_id == ana.id, expires_at=past)
    assert_error(await verify(client, token), 400, "invalid_token")
    assert (await me(client, ana))["email_verified"] is False


async def test_resending_replaces_the_link_and_is_rate_limited(client, inbox, signup):
    ana = await signup("ana")
    first = await verification_token(inbox, "ana@example.com")
    seen = len(inbox.messages)
    response = await client.post("/api/users/me/verification", headers=ana.headers)
    assert response.status_code == 202, response.text
    second = await verification_token(inbox, "ana@example.com", after=seen)
    assert second != first
    seen = len(inbox.messages)
    response = await client.post("/api/users/me/verification", headers=ana.headers)
    assert response.status_code == 202, response.text  # two at once, then one a while
    third = await verification_token(inbox, "ana@example.com", after=seen)

    again = await client.post("/api/users/me/verification", headers=ana.headers)
    assert_error(again, 429, "rate_limited")
    assert int(again.headers["Retry-After"]) >= 1

    for replaced in (first, second):
        assert_error(await verify(client, replaced), 400, "invalid_token")
    assert (await verify(client, third)).status_code == 200
    done = await client.post("/api/users/me/verification", headers=ana.headers)
    assert_error(done, 409, "already_verified")


async def test_a_new_address_needs_the_password_and_is_verified_again(client, inbox, signup):
    ana = await signup("ana")
    old_token = await verification_token(inbox, "ana@example.com")
    change = {"email": "ana@elsewhere.org"}
    response = await client.patch("/api/users/me", json=change, headers=ana.headers)
    assert_error(response, 422)
    wrong = {**change, "current_password": "not my password"}
    assert_error(await client.patch("/api/users/me", json=wrong, headers=ana.headers), 400)
    assert (await me(client, ana))["email"] == "ana@example.com"

    seen = len(inbox.messages)
    right = {**change, "current_password": ana.password}
    response = await client.patch("/api/users/me", json=right, headers=ana.headers)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "ana@elsewhere.org"
    assert response.json()["email_verified"] is False
    notice = await mail_to(inbox, "ana@example.com", "email address", after=seen)
    assert "ana@elsewhere.org" in notice.get_content()
    new_token = await verification_token(inbox, "ana@elsewhere.org", after=seen)

    assert_error(await verify(client, old_token), 400, "invalid_token")
    assert (await verify(client, new_token)).status_code == 200
    assert (await me(client, ana))["email_verified"] is True


async def test_changing_a_verified_address_stops_posting_until_verified(client, inbox, signup):
    ana = await signup("ana")
    assert (await verify(client, await verification_token(inbox, "ana@example.com"))).is_success
    chat_id = await group_of(client, ana)
    seen = len(inbox.messages)
    change = {"email": "ana@elsewhere.org", "current_password": ana.password}
    assert (await client.patch("/api/users/me", json=change, headers=ana.headers)).is_success
    assert_error(await send(client, ana, chat_id), 403, "email_unverified")
    token = await verification_token(inbox, "ana@elsewhere.org", after=seen)
    assert (await verify(client, token)).is_success
    assert (await send(client, ana, chat_id)).status_code == 201


async def test_a_link_for_an_address_the_account_left_proves_nothing(ctx, client, inbox, signup):
    ana = await signup("ana")
    token = await verification_token(inbox, "ana@example.com")

    def move_address(db) -> None:  # as if a change had raced the link (no retirement)
        db.get(User, ana.id).email = "ana@elsewhere.org"

    await ctx.db.write(move_address)
    assert_error(await verify(client, token), 400, "invalid_token")


async def test_an_address_in_use_is_409(client, signup):
    ana, bob = await signup("ana"), await signup("bob")
    change = {"email": "BOB@example.com", "current_password": ana.password}
    response = await client.patch("/api/users/me", json=change, headers=ana.headers)
    assert_error(response, 409, "email_taken")
    assert (await me(client, ana))["email"] == "ana@example.com"
    assert (await me(client, bob))["email"] == "bob@example.com"


def test_required_without_smtp_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("CHINWAG_SMTP_URL", raising=False)
    with pytest.raises(SettingsError, match="CHINWAG_SMTP_URL"):
        load_settings(_env_file=None, data_dir=tmp_path, email_verification="required")
    settings = load_settings(_env_file=None, data_dir=tmp_path)
    assert settings.email_verification == "off"  # the default

"""Password reset end to end through a real SMTP server (aiosmtpd on a free port): the request,
the mail and its link, confirming with the token, and every way a token stops working."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from chinwag.accounts.models import PasswordReset
from chinwag.db.base import utcnow
from tests.conftest import assert_error

NEW = "a brand new passphrase"
LINK = re.compile(r"http://testserver/#/reset\?token=([A-Za-z0-9_-]+)")


@pytest.fixture
def settings_overrides(smtp_server) -> dict:
    return {"smtp_url": f"smtp://127.0.0.1:{smtp_server.port}"}


async def request_reset(client, address: str):
    return await client.post("/api/auth/password-reset", json={"email": address})


async def confirm(client, token: str, new_password: str = NEW):
    return await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": new_password}
    )


async def mailed_token(client, ctx, inbox, address: str) -> str:
    """Ask for a reset of `address` and read the token from the one mail that arrives."""
    assert (await request_reset(client, address)).status_code == 202
    await ctx.mail.drain()
    await inbox.wait()
    [envelope] = inbox.messages
    inbox.clear()
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return LINK.search(message.get_body().get_content()).group(1)


async def test_reset_request_is_202_for_known_and_unknown_addresses_alike(client, ana):
    known = await request_reset(client, ana.email)
    unknown = await request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.json()["detail"]


async def test_exactly_one_mail_arrives_and_only_for_the_real_account(client, ctx, inbox, ana):
    await request_reset(client, "nobody@example.com")
    await request_reset(client, ana.email)
    await ctx.mail.drain()
    await inbox.wait()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [ana.email]
    assert envelope.mail_from == "chinwag@localhost"
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == ana.email
    assert "reset" in message["Subject"].lower()
    body = message.get_body().get_content()
    assert LINK.search(body), body
    assert "ana" in body  # addressed to the account it is about


async def test_unknown_address_sends_no_mail(client, ctx, inbox, ana):
    await request_reset(client, "nobody@example.com")
    await request_reset(client, "ANA@example.org")
    await ctx.mail.drain()
    assert inbox.messages == []
    assert not inbox.arrived.is_set()


async def test_address_is_matched_regardless_of_case_and_spaces(client, ctx, inbox, ana):
    token = await mailed_token(client, ctx, inbox, "  ANA@Example.COM ")
    assert (await confirm(client, token)).status_code == 204


async def test_confirm_sets_the_new_password(client, ctx, inbox, login, ana):
    token = await mailed_token(client, ctx, inbox, ana.email)
    response = await confirm(client, token)
    assert response.status_code == 204 and response.content == b""
    assert (await login("ana", NEW)).status_code == 200
    assert_error(await login("ana", ana.password), 401, "invalid_credentials")


async def test_confirm_revokes_every_session(client, ctx, inbox, ana, bob, second_device):
    phone = await second_device(ana, "phone")
    token = await mailed_token(client, ctx, inbox, ana.email)
    await confirm(client, token)
    for device in (ana, phone):
        assert_error(
            await client.get("/api/users/me", headers=device.headers), 401, "invalid_token"
        )
        refreshed = await client.post(
            "/api/auth/refresh", json={"refresh_token": device.refresh_token}
        )
        assert_error(refreshed, 401, "invalid_token")
    assert (await client.get("/api/users/me", headers=bob.headers)).status_code == 200


async def test_token_works_once(client, ctx, inbox, login, ana):
    token = await mailed_token(client, ctx, inbox, ana.email)
    assert (await confirm(client, token)).status_code == 204
    assert_error(await confirm(client, token, "yet another password"), 400, "invalid_token")
    assert (await login("ana", NEW)).status_code == 200


async def test_expired_token_is_400(client, ctx, inbox, login, db_update, ana):
    token = await mailed_token(client, ctx, inbox, ana.email)
    await db_update(
        PasswordReset, PasswordReset.user_id == ana.id, expires_at=utcnow() - timedelta(seconds=1)
    )
    assert_error(await confirm(client, token), 400, "invalid_token")
    assert (await login("ana", ana.password)).status_code == 200


async def test_token_is_valid_for_the_configured_hour(client, ctx, inbox, ana):
    await mailed_token(client, ctx, inbox, ana.email)
    query = select(PasswordReset).where(PasswordReset.user_id == ana.id)
    row = await ctx.db.read(lambda db: db.scalar(query))
    lifetime = row.expires_at - row.created_at
    assert timedelta(minutes=59) < lifetime <= timedelta(minutes=60, seconds=1)


@pytest.mark.parametrize("token", ["garbage", "x" * 200])
async def test_unknown_token_is_400(client, ana, token):
    assert_error(await confirm(client, token), 400, "invalid_token")


async def test_refused_new_password_leaves_the_token_usable(client, ctx, inbox, ana):
    token = await mailed_token(client, ctx, inbox, ana.email)
    assert_error(await confirm(client, token, "short"), 422, "validation_error")
    assert (await confirm(client, token)).status_code == 204


async def test_each_request_mails_a_different_token(client, ctx, inbox, ana):
    first = await mailed_token(client, ctx, inbox, ana.email)
    second = await mailed_token(client, ctx, inbox, ana.email)
    assert first != second


@pytest.mark.parametrize(
    "body", [{}, {"email": ""}, {"email": "a\x00@example.com"}, {"email": "a" * 255}]
)
async def test_malformed_reset_request_is_422(client, body):
    response = await client.post("/api/auth/password-reset", json=body)
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "t"},
        {"new_password": NEW},
        {"token": "", "new_password": NEW},
        {"token": "t" * 201, "new_password": NEW},
        {"token": "t\x00", "new_password": NEW},
    ],
)
async def test_malformed_confirm_is_422(client, body):
    response = await client.post("/api/auth/password-reset/confirm", json=body)
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("settings_overrides", [{"smtp_url": "smtp://127.0.0.1:1"}])
async def test_mail_server_down_still_answers_202_and_logs_the_failure(
    client, ctx, chinwag_records, ana
):
    response = await request_reset(client, ana.email)
    assert response.status_code == 202
    await ctx.mail.drain()
    failures = [r for r in chinwag_records if r.name == "chinwag.mail" and r.levelname == "ERROR"]
    assert len(failures) == 1
    assert "token" not in failures[0].getMessage()


async def test_at_most_two_mails_an_hour_and_only_the_newest_link_works(client, ctx, inbox, ana):
    first = await mailed_token(client, ctx, inbox, ana.email)
    second = await mailed_token(client, ctx, inbox, ana.email)
    for _ in range(5):  # a mail bomb: answered alike, mailed no more
        assert (await request_reset(client, ana.email)).status_code == 202
    await ctx.mail.drain()
    assert inbox.messages == []
    assert_error(await confirm(client, first), 400, "invalid_token")
    assert (await confirm(client, second)).status_code == 204


# --- a sign-up with an address that has an account: its owner is mailed, nothing said ---


async def sign_up(client, address: str, username: str):
    body = {"email": address, "username": username, "password": "another passphrase"}
    return await client.post("/api/auth/register", json=body)


async def test_a_taken_email_at_sign_up_is_answered_202_and_its_owner_mailed(
    client, ctx, inbox, ana
):
    answer = await sign_up(client, ana.email.upper(), "newcomer")
    assert answer.status_code == 202
    assert answer.json()["detail"]
    assert "exist" not in answer.text and "taken" not in answer.text
    await ctx.mail.drain()
    await inbox.wait()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [ana.email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "You already have a chinwag account"
    text = message.get_body().get_content()
    assert ana.username in text
    # Nothing was created; the mailed link works as a reset link.
    refused = await client.post(
        "/api/auth/login", json={"login": "newcomer", "password": "another passphrase"}
    )
    assert_error(refused, 401, "invalid_credentials")
    assert (await confirm(client, LINK.search(text).group(1))).status_code == 204


async def test_taken_email_mails_share_the_hourly_limit_with_resets(client, ctx, inbox, ana):
    for name in ("first", "second", "third"):
        assert (await sign_up(client, ana.email, name)).status_code == 202
    assert (await request_reset(client, ana.email)).status_code == 202
    await ctx.mail.drain()
    await inbox.wait()
    assert len(inbox.messages) == 2  # CHINWAG_PASSWORD_RESET_MAILS_PER_HOUR


async def test_a_taken_username_is_still_said(client, ana):
    answer = await sign_up(client, "fresh@example.com", ana.username)
    assert_error(answer, 409, "username_taken")

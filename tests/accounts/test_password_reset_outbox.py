"""Password reset without an SMTP server: the mail lands in <data_dir>/outbox/ as an .eml file,
and the log says where it went but never what the token is."""

import email
import email.message
import email.policy
import re

from tests.conftest import assert_error

NEW = "a brand new passphrase"
LINK = re.compile(r"http://testserver/#/reset\?token=([A-Za-z0-9_-]+)")


def outbox_files(settings) -> list:
    return sorted((settings.data_dir / "outbox").glob("*.eml"))


def read_mail(path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def token_in(path) -> str:
    return LINK.search(read_mail(path).get_body().get_content()).group(1)


async def test_reset_mail_is_written_to_the_outbox(client, ctx, settings, ana):
    response = await client.post("/api/auth/password-reset", json={"email": ana.email})
    assert response.status_code == 202
    await ctx.mail.drain()
    [path] = outbox_files(settings)
    message = read_mail(path)
    assert message["To"] == ana.email
    assert LINK.search(message.get_body().get_content())


async def test_outbox_token_resets_the_password(client, ctx, settings, login, ana):
    await client.post("/api/auth/password-reset", json={"email": ana.email})
    await ctx.mail.drain()
    [path] = outbox_files(settings)
    token = token_in(path)
    assert (
        await client.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW}
        )
    ).status_code == 204
    assert (await login("ana", NEW)).status_code == 200


async def test_unknown_address_writes_nothing(client, ctx, settings, ana):
    response = await client.post("/api/auth/password-reset", json={"email": "no@example.com"})
    assert response.status_code == 202
    await ctx.mail.drain()
    assert outbox_files(settings) == []


async def test_log_names_the_outbox_file_but_not_the_token(
    client, ctx, settings, chinwag_records, ana
):
    await client.post("/api/auth/password-reset", json={"email": ana.email})
    await ctx.mail.drain()
    [path] = outbox_files(settings)
    token = token_in(path)

    lines = [record.getMessage() for record in chinwag_records]
    assert any(str(path) in line for line in lines), lines
    assert not [line for line in lines if token in line]
    assert not [r for r in chinwag_records if token in str(vars(r))]


async def test_used_outbox_token_is_refused_the_second_time(client, ctx, settings, ana):
    await client.post("/api/auth/password-reset", json={"email": ana.email})
    await ctx.mail.drain()
    [path] = outbox_files(settings)
    token = token_in(path)
    payload = {"token": token, "new_password": NEW}
    assert (await client.post("/api/auth/password-reset/confirm", json=payload)).status_code == 204
    response = await client.post("/api/auth/password-reset/confirm", json=payload)
    assert_error(response, 400, "invalid_token")

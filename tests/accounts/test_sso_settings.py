"""CHINWAG_PASSWORD_SIGNIN=off with single sign-on: every way in by password is refused
with its own error code while the provider signs people in; the command line still makes
accounts. And the settings that must not start: SSO half set up, password sign-in off
without it, a provider over plain http elsewhere than this machine."""

from __future__ import annotations

import pytest

from chinwag.accounts.schemas import RegisterIn
from chinwag.accounts.service import create_user
from chinwag.config import SettingsError, load_settings
from tests.accounts.oidc import CALLBACK, running_provider, signed_in, sso_answer
from tests.conftest import assert_error

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def provider():
    with running_provider([CALLBACK]) as running:
        yield running


@pytest.fixture
def settings_overrides(provider) -> dict:
    return {**provider.settings(), "password_signin": False}


async def test_password_sign_in_is_refused_while_sso_signs_in(client, ctx):
    # An account made on the command line (as site administrators still may).
    made = RegisterIn(email="ops@example.com", username="ops", password=PASSWORD)
    await create_user(ctx, made, site_admin=True)
    login = await client.post("/api/auth/login", json={"login": "ops", "password": PASSWORD})
    assert_error(login, 403, "password_signin_off")
    token = await client.post("/api/auth/token", data={"username": "ops", "password": PASSWORD})
    assert_error(token, 403, "password_signin_off")
    new = {"email": "new@example.com", "username": "newbie", "password": PASSWORD}
    assert_error(await client.post("/api/auth/register", json=new), 403, "password_signin_off")
    reset = await client.post("/api/auth/password-reset", json={"email": "ops@example.com"})
    assert_error(reset, 403, "password_signin_off")
    confirm = {"token": "x" * 40, "new_password": PASSWORD}
    assert_error(
        await client.post("/api/auth/password-reset/confirm", json=confirm),
        403,
        "password_signin_off",
    )

    body = await signed_in(client, await sso_answer(client, "alice"))
    assert body["user"]["username"] == "alice"
    workspace = (await client.get("/api/workspace")).json()
    assert workspace["password_signin"] is False
    assert workspace["sso_name"] == "Test ID"


def _clear(monkeypatch) -> None:
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "PASSWORD_SIGNIN"):
        monkeypatch.delenv(f"CHINWAG_{name}", raising=False)


def test_password_sign_in_off_without_sso_refuses_to_start(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("CHINWAG_PASSWORD_SIGNIN", "off")
    with pytest.raises(SettingsError, match="CHINWAG_PASSWORD_SIGNIN=off needs single sign-on"):
        load_settings(_env_file=None, data_dir=tmp_path)


def test_sso_half_set_up_refuses_to_start(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("CHINWAG_OIDC_ISSUER", "https://id.example.com")
    monkeypatch.setenv("CHINWAG_OIDC_CLIENT_ID", "chinwag")
    with pytest.raises(SettingsError, match="CHINWAG_OIDC_CLIENT_SECRET go together"):
        load_settings(_env_file=None, data_dir=tmp_path)


@pytest.mark.parametrize(
    "issuer", ["http://id.example.com", "id.example.com", "ftp://id.example.com"]
)
def test_a_provider_not_over_https_refuses_to_start(monkeypatch, tmp_path, issuer):
    _clear(monkeypatch)
    monkeypatch.setenv("CHINWAG_OIDC_ISSUER", issuer)
    monkeypatch.setenv("CHINWAG_OIDC_CLIENT_ID", "chinwag")
    monkeypatch.setenv("CHINWAG_OIDC_CLIENT_SECRET", "secret")
    with pytest.raises(SettingsError, match="CHINWAG_OIDC_ISSUER must be"):
        load_settings(_env_file=None, data_dir=tmp_path)


def test_sso_set_up_starts_with_password_sign_in_off(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("CHINWAG_OIDC_ISSUER", "https://id.example.com/realms/team")
    monkeypatch.setenv("CHINWAG_OIDC_CLIENT_ID", "chinwag")
    monkeypatch.setenv("CHINWAG_OIDC_CLIENT_SECRET", "secret")
    monkeypatch.setenv("CHINWAG_PASSWORD_SIGNIN", "off")
    settings = load_settings(_env_file=None, data_dir=tmp_path)
    assert settings.sso_enabled and not settings.password_signin


def test_serve_says_why_it_will_not_start(tmp_path):
    from tests.test_cli import run

    result = run(["serve"], tmp_path, CHINWAG_PASSWORD_SIGNIN="off", CHINWAG_OIDC_ISSUER="")
    assert result.returncode == 2
    assert "CHINWAG_PASSWORD_SIGNIN=off needs single sign-on" in result.stderr


def test_the_command_line_makes_accounts_with_password_sign_in_off(tmp_path):
    from tests.test_cli import run

    sso = {
        "CHINWAG_OIDC_ISSUER": "https://id.example.com",
        "CHINWAG_OIDC_CLIENT_ID": "chinwag",
        "CHINWAG_OIDC_CLIENT_SECRET": "secret",
        "CHINWAG_PASSWORD_SIGNIN": "off",
    }
    made = run(
        ["users", "create", "ops@example.com", "ops", "--password", "long enough pw"],
        tmp_path,
        **sso,
    )
    assert made.returncode == 0, made.stderr

"""Without CHINWAG_OIDC_*: no single sign-on, and the workspace says so."""

from __future__ import annotations

from tests.conftest import assert_error


async def test_without_a_provider_there_is_no_single_sign_on(client):
    assert_error(await client.get("/api/auth/oidc/start"), 404, "sso_not_configured")
    callback = await client.get("/api/auth/oidc/callback", params={"state": "x", "code": "y"})
    assert_error(callback, 404, "sso_not_configured")
    workspace = (await client.get("/api/workspace")).json()
    assert workspace["sso_name"] is None and workspace["password_signin"] is True

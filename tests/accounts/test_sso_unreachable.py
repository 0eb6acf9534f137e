"""A provider that doesn't answer: the sign-in page is told so, nothing else breaks."""

from __future__ import annotations

import socket

import pytest

from tests.accounts.oidc import CLIENT_ID, CLIENT_SECRET, sso_error


@pytest.fixture
def settings_overrides() -> dict:
    with socket.socket() as probe:  # a port nobody listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "oidc_issuer": f"http://127.0.0.1:{port}",
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
    }


async def test_an_unreachable_provider_sends_the_browser_back_with_a_reason(client):
    assert sso_error(await client.get("/api/auth/oidc/start")) == "sso_provider_error"
    assert "chinwag_sso" not in client.cookies
    workspace = await client.get("/api/workspace")
    assert workspace.status_code == 200 and workspace.json()["sso_name"] == "single sign-on"

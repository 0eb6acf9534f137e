"""Single sign-on in the browser: "Sign in with ..." leads through a real OpenID provider
(oidc-provider on another loopback address, so another site for cookies) and back into the
chat; a refusal (an unverified email) comes back to the sign-in page, which says why."""

from __future__ import annotations

import re
import socket

import pytest_asyncio
from playwright.async_api import expect

from tests.accounts.oidc import running_provider
from tests.browser.conftest import MODULE_LOOP
from tests.conftest import settings_for
from tests.realtime.conftest import start_server, stop_server

pytestmark = MODULE_LOOP


@pytest_asyncio.fixture(loop_scope="module")
async def live(database_url, tmp_path):
    """chinwag on a port chosen first (its public URL is the provider's redirect target),
    set up for single sign-on with a provider started for it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with running_provider([f"{url}/api/auth/oidc/callback"], host="127.0.0.2") as provider:
        settings = settings_for(
            database_url, tmp_path / "data", public_url=url, **provider.settings()
        )
        server, task, handle = await start_server(settings, listener=listener)
        yield handle
        await stop_server(server, task)


async def through_provider(page, login: str) -> None:
    """Sign in as `login` on the provider's page, then consent."""
    await page.wait_for_url(re.compile(r"^http://127\.0\.0\.2:\d+/interaction/"))
    await page.locator("input[name=login]").fill(login)
    await page.locator("input[name=password]").fill("anything")
    await page.get_by_role("button", name="Sign-in").click()
    await page.get_by_role("button", name="Continue").click()


async def test_sign_in_with_the_provider_lands_in_the_chat(new_page):
    page = await new_page()
    await page.goto("/")
    button = page.get_by_role("link", name="Sign in with Test ID")
    await button.click()
    await through_provider(page, "eve")  # the provider hasn't verified her address
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Your email address is not verified")

    assert page.errors == []

    page = await new_page()  # another person (the provider remembers who signed in there)
    await page.goto("/")
    await page.get_by_role("link", name="Sign in with Test ID").click()
    await through_provider(page, "alice")
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()
    await expect(page.locator("#banner")).to_be_hidden()
    await page.reload()  # the session is the usual one: a reload keeps it
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()
    assert page.errors == []

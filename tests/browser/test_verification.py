"""Email verification and the account's username and email, in Chromium, with a real SMTP
server: the banner and the composer's note while the link is awaited, a new username and
address from the account dialog, then the link mailed to the new address followed."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.accounts.mailbox import verification_settings, verification_token
from tests.browser.conftest import MODULE_LOOP, PASSWORD, create_group, register, send, unique

pytestmark = MODULE_LOOP


@pytest.fixture
def settings_overrides(smtp_server) -> dict:
    return verification_settings(smtp_server)


async def test_change_username_and_email_then_follow_the_link(new_page, smtp_server):
    inbox = smtp_server.handler
    page = await new_page()
    name = await register(page, unique("ana"), "Ana")
    banner = page.locator("#verify-banner")
    await expect(banner).to_contain_text(f"we sent a link to {name}@example.com")
    await create_group(page, "Team")
    await expect(page.get_by_role("textbox", name="Message")).to_be_disabled()
    await expect(page.locator("#verify-note")).to_contain_text("once you follow the link")

    seen = len(inbox.messages)
    await page.get_by_role("button", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account")
    await expect(dialog.get_by_label("Username")).to_have_value(name)
    await dialog.get_by_label("Username").fill(f"{name}.new")
    await dialog.get_by_label("Email", exact=True).fill(f"{name}@elsewhere.org")
    await dialog.get_by_label("Your password (for a new email)").fill(PASSWORD)
    await dialog.get_by_role("button", name="Save username and email").click()
    await expect(dialog.locator("#identity-info")).to_contain_text(
        f"We mailed a link to {name}@elsewhere.org"
    )
    await expect(dialog.locator("#account-identity")).to_have_text(
        re.compile(rf"@{re.escape(name)}\.new · {re.escape(name)}@elsewhere\.org")
    )
    await dialog.get_by_role("button", name="Close").click()
    await expect(banner).to_contain_text(f"{name}@elsewhere.org")

    token = await verification_token(inbox, f"{name}@elsewhere.org", after=seen)
    await page.goto(f"/#/verify?token={token}")
    await expect(page.locator("#verify-done")).to_contain_text("is confirmed")
    await expect(banner).to_be_hidden()
    await (
        page.get_by_role("list", name="My chats")
        .get_by_role("button", name=re.compile("Team"))
        .click()
    )
    box = page.get_by_role("textbox", name="Message")
    await expect(box).to_be_enabled()
    await send(page, "verified at last")
    await expect(page.locator("#messages")).to_contain_text("verified at last")
    assert not page.errors, page.errors

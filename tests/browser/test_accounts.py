"""Forgot password through the mailed link, end to end; a reload keeps you signed in; the
phone layout: open a chat and send."""

from __future__ import annotations

import email
import email.policy
import re

from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    create_group,
    menu,
    register,
    screenshot,
    send,
    unique,
)

pytestmark = MODULE_LOOP

LINK = re.compile(r"http://testserver/(#/reset\?token=[A-Za-z0-9_-]+)")
NEW_PASSWORD = "a brand new passphrase"


async def mailed_link(live, outbox) -> str:
    """The reset link of the one mail in the outbox (written when no SMTP is configured)."""
    await live.ctx.mail.drain()  # the 202 came before the mail was written: wait for it
    (path,) = outbox.glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(body).group(1)


async def test_forgot_password_through_the_mailed_link(new_page, live, settings):
    page = await new_page()
    name = await register(page, unique("ana"), "Ana")
    await menu(page, "Sign out")

    signin = page.get_by_role("form", name="Sign in")
    await signin.get_by_role("link", name="Forgot password?").click()
    forgot = page.get_by_role("form", name="Forgot password")
    await forgot.get_by_label("Email").fill(f"{name}@example.com")
    await forgot.get_by_role("button", name="Send reset link").click()
    await expect(page.get_by_role("status").filter(has_text="reset link")).to_be_visible()

    link = await mailed_link(live, settings.data_dir / "outbox")
    await page.goto(f"/{link}")
    reset = page.get_by_role("form", name="Choose a new password")
    await reset.get_by_label("New password").fill("short")
    await reset.get_by_role("button", name="Set new password").click()
    # said under the field, in the client's words
    await expect(reset.locator("#reset-password ~ .field-error")).to_have_text(
        "Use at least 8 characters (at most 128)."
    )
    await reset.get_by_label("New password").fill(NEW_PASSWORD)
    await reset.get_by_role("button", name="Set new password").click()
    await expect(page.get_by_role("status").filter(has_text="password is changed")).to_be_visible()

    await signin.get_by_label("Email or username").fill(name)
    await signin.get_by_label("Password").fill(NEW_PASSWORD)
    await signin.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()
    # the access token is in memory only: a reload signs back in through the HttpOnly cookie
    await page.reload()
    await expect(page.locator("#me-name")).to_have_text("Ana")
    assert "chinwag_refresh" not in await page.evaluate("document.cookie")


async def test_phone_layout_open_a_chat_and_send(new_page):
    page = await new_page(375, 740)
    await register(page, unique("ana"), "Ana")
    await create_group(page, "Pocket")
    # on a phone the open chat replaces the list; Back returns to it
    await expect(page.get_by_role("navigation", name="Chats")).to_be_hidden()
    await page.get_by_role("button", name="Back to chats").click()
    await expect(page.get_by_role("main")).to_be_hidden()
    await screenshot(page, "phone-chat-list")
    await page.get_by_role("navigation").get_by_role("button", name="Pocket").click()
    await send(page, "sent from a phone")
    mine = page.locator(".message.mine", has_text="sent from a phone")
    await expect(mine).to_contain_text("Sent")
    box = await mine.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    await screenshot(page, "phone-chat")

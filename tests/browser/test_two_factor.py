"""Two-factor sign-in in the web client: turned on in the account dialog (the secret read
from the page, the code computed with pyotp as an authenticator app would), recovery codes
shown once, then signing in again asks for the code in a second step."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, menu, register, unique
from tests.twofactor.helpers import Authenticator

pytestmark = MODULE_LOOP


async def test_turned_on_in_the_account_dialog_then_asked_for_at_sign_in(new_page):
    page = await new_page()
    name = await register(page, unique("ana"), "Ana")
    await page.get_by_role("button", name="Account settings").click()
    dialog = page.locator("#account-dialog")
    section = dialog.get_by_role("region", name="Two-factor sign-in")
    await section.get_by_role("button", name="Set up two-factor sign-in").click()
    await expect(
        section.get_by_role("img", name="QR code for the authenticator app")
    ).to_be_visible()
    app = Authenticator((await section.locator(".two-factor-secret").inner_text()).strip())
    await section.get_by_label("Code from the app").fill(app.code())
    await section.get_by_role("button", name="Turn on").click()
    codes = section.locator(".two-factor-codes li")
    await expect(codes).to_have_count(10)
    await expect(section.get_by_role("button", name="Copy codes")).to_be_visible()
    await section.get_by_role("button", name="I have saved them").click()
    await expect(section.locator(".two-factor-on")).to_have_text("On. Recovery codes left: 10.")
    await dialog.get_by_role("button", name="Close").click()

    await menu(page, "Sign out")
    form = page.get_by_role("form", name="Sign in")
    await form.get_by_label("Email or username").fill(name)
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Sign in").click()
    code = form.get_by_label("Authentication code or recovery code")
    await expect(code).to_be_focused()
    await expect(page.locator("#auth-info")).to_contain_text("enter the code")
    await code.fill(app.forged())
    await form.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#auth-error")).to_contain_text("wrong or was used already")
    await code.fill(app.code())
    await form.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()
    assert page.errors == []

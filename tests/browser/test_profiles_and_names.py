"""People and groups as the client names them: a way on from a spent reset link, the bio shown
to others, my own username and email in the account dialog, "1 member", and a public group
name that is taken said beside the name field."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, menu, open_chat, sign_in
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP


async def test_a_spent_reset_link_offers_a_way_on(new_page):
    page = await new_page()
    await page.goto("/#/reset?token=spent-or-made-up")
    form = page.get_by_role("form", name="Choose a new password")
    await form.get_by_label("New password").fill("a long new passphrase")
    await form.get_by_role("button", name="Set new password").click()
    await expect(page.locator("#auth-error")).to_have_text(
        "This link has expired or has been used already. Ask for a new one."
    )
    await form.get_by_role("link", name="Ask for a new link").click()
    await expect(page.get_by_role("form", name="Forgot password")).to_be_visible()
    await page.goto("/#/reset?token=another")
    await form.get_by_role("link", name="Back to sign in").click()
    await expect(page.get_by_role("form", name="Sign in")).to_be_visible()


async def test_others_see_the_bio_and_i_see_my_username_and_email(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.patch(
            "/api/users/me", headers=bo.headers, json={"bio": "Tea, maps and\nlong walks"}
        )
        assert response.status_code == 200, response.text
        response = await http.post(
            "/api/chats/direct", headers=ana.headers, json={"user_id": bo.id}
        )
        assert response.status_code == 201, response.text
    await group(live, ana, "Walkers", [bo])
    page = await new_page()
    await sign_in(page, ana.username)

    await open_chat(page, "Bo")
    await expect(page.locator("#chat-subtitle")).to_contain_text("Tea, maps and long walks")
    await open_chat(page, "Walkers")
    await page.get_by_role("button", name="Group settings").click()
    bo_row = page.get_by_role("list", name="Members").get_by_role("listitem").filter(has_text="Bo")
    await expect(bo_row).to_contain_text(f"@{bo.username}")
    await expect(bo_row).to_contain_text("Tea, maps and long walks")
    await page.get_by_role("dialog", name="Walkers").get_by_role("button", name="Close").click()

    await page.get_by_role("button", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account")
    await expect(dialog).to_contain_text(
        f"Signed in as @{ana.username} · {ana.username}@example.com"
    )
    assert page.errors == []


async def test_one_member_is_one_member_and_a_taken_public_name_is_said(new_page, live):
    ana = await person(live, "ana", "Ana")
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/chats", headers=ana.headers, json={"name": "Design", "is_public": True}
        )
        assert response.status_code == 201, response.text
    bo = await person(live, "bo", "Bo")
    page = await new_page()
    await sign_in(page, bo.username)
    await menu(page, "Public groups")
    directory = page.get_by_role("dialog", name="Public groups")
    await expect(directory).to_contain_text("1 member")
    assert not re.search(r"\b1 members\b", await directory.inner_text())
    await directory.get_by_role("button", name="Close").click()

    await page.get_by_role("button", name="New group").click()
    dialog = page.get_by_role("dialog", name="New group")
    await dialog.get_by_label("Name").fill("design")
    await dialog.get_by_label(re.compile("Public")).check()
    await dialog.get_by_role("button", name="Create group").click()
    name = dialog.get_by_label("Name", exact=True)
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(
        name.locator("xpath=following-sibling::*[contains(@class, 'field-error')]")
    ).to_have_text("A public group already has this name. Choose another one.")
    assert page.errors == []

"""Invitations from the admin page to the join page: the link made once (with Copy), a second
person opening it sees who invites them where, signs up and lands in the invitation's group;
a revoked (or made-up) link says it is no longer valid, with the way to the sign-in page."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, menu, sidebar_chat, sign_in, unique
from tests.browser.seeding import group, site_admin

pytestmark = MODULE_LOOP


async def test_an_invitation_brings_a_newcomer_into_its_group(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    await group(live, ana, "Welcome")
    await group(live, ana, "Back office")
    page = await new_page(permissions=("clipboard-read", "clipboard-write"))
    await sign_in(page, ana.username)
    await menu(page, "Administration")
    await page.get_by_role("tab", name="Invitations").click()
    form = page.get_by_role("form", name="New invitation")
    await form.get_by_label("Sign-ups").fill("2")
    await form.get_by_label("Valid for days").fill("3")
    await form.get_by_role("group", name="Groups they join").get_by_label("Welcome").check()
    await form.get_by_role("button", name="Create invitation").click()
    link_box = page.get_by_role("textbox", name="Invitation link")
    await expect(link_box).to_have_value(re.compile(r"#/join\?invitation=\S+$"))
    link = await link_box.input_value()
    await page.get_by_role("button", name="Copy").click()
    await expect(page.locator("#invite-copy")).to_have_text("Copied")
    assert await page.evaluate("navigator.clipboard.readText()") == link
    row = page.locator("#invite-rows tr").first
    await expect(row).to_contain_text("Anyone with the link")
    await expect(row).to_contain_text("Welcome")
    await expect(row).to_contain_text("0 of 2")
    await expect(row.locator(".invitation-state")).to_have_text("Valid")

    join = "/#" + link.split("#", 1)[1]  # the server's public address may be another
    newcomer = await new_page()
    await newcomer.goto(join)
    preview = newcomer.locator("#join-preview")
    await expect(preview).to_contain_text("Ana invites you to chinwag.")
    await expect(preview).to_contain_text("You will join: Welcome.")
    name = unique("cyd")
    form = newcomer.get_by_role("form", name="Create an account")
    await form.get_by_label("Email").fill(f"{name}@example.com")
    await form.get_by_label("Username").fill(name)
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Create account").click()
    await expect(newcomer.get_by_role("navigation", name="Chats")).to_be_visible()
    await expect(sidebar_chat(newcomer, "Welcome")).to_be_visible()
    await expect(sidebar_chat(newcomer, "Back office")).to_have_count(0)
    await expect(newcomer).to_have_url(re.compile(r"#/$"))

    # one use spent; revoking it makes the link invalid for the next one
    await page.reload()
    await expect(page.get_by_role("region", name="Administration")).to_be_visible()
    await page.get_by_role("tab", name="Invitations").click()
    await expect(row).to_contain_text("1 of 2")
    await row.get_by_role("button", name=re.compile("^Revoke invitation")).click()
    await expect(row.locator(".invitation-state")).to_have_text("Revoked")
    await expect(row.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)

    late = await new_page()
    await late.goto(join)
    await expect(late.locator("#join-invalid")).to_contain_text(
        "This invitation link is no longer valid"
    )
    await expect(late.get_by_role("form", name="Create an account")).to_be_hidden()
    await late.get_by_role("link", name="Go to sign in").click()
    await expect(late.get_by_role("form", name="Sign in")).to_be_visible()
    assert page.errors == [] and newcomer.errors == [] and late.errors == []


async def test_a_made_up_link_says_it_is_not_valid(new_page):
    page = await new_page()
    await page.goto("/#/join?invitation=not-a-real-token")
    await expect(page.locator("#join-invalid")).to_contain_text(
        "This invitation link is no longer valid"
    )
    await expect(page.get_by_role("link", name="Go to sign in")).to_be_visible()
    # another route shows the forms again
    await page.goto("/#/register")
    await expect(page.get_by_role("form", name="Create an account")).to_be_visible()
    await expect(page.locator("#join-invalid")).to_be_hidden()


async def test_an_addressed_invitation_works_where_sign_up_needs_one(new_page, live):
    import httpx

    ana = await site_admin(live, "ana", "Ana")
    chat_id = await group(live, ana, "Crew")
    name = unique("dee")
    async with httpx.AsyncClient(base_url=live.url) as http:
        changed = await http.patch(
            "/api/admin/workspace",
            json={"name": "Acme", "registration": "invite_only"},
            headers=ana.headers,
        )
        assert changed.status_code == 200, changed.text
        made = await http.post(
            "/api/admin/invitations",
            json={"email": f"{name}@example.com", "chat_ids": [chat_id]},
            headers=ana.headers,
        )
        assert made.status_code == 201, made.text
    page = await new_page()
    await page.goto("/#" + made.json()["link"].split("#", 1)[1])
    await expect(page.locator("#auth-workspace")).to_have_text("Acme")
    await expect(page.locator("#join-preview")).to_contain_text("Ana invites you to Acme.")
    await expect(page.locator("#register-note")).to_be_hidden()  # the link is the invitation
    form = page.get_by_role("form", name="Create an account")
    await expect(form.get_by_label("Email")).to_have_value(f"{name}@example.com")
    await form.get_by_label("Username").fill(name)
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Create account").click()
    await expect(sidebar_chat(page, "Crew")).to_be_visible()
    assert page.errors == []

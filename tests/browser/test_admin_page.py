"""The admin page (#/admin), for site administrators only: people deactivated (their open tab
is signed out at once) and reactivated, a site administrator made, the lock-out refusals said
in words, the workspace's sign-up mode followed by the sign-in page, and the audit log."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, menu, sign_in
from tests.browser.seeding import person, site_admin

pytestmark = MODULE_LOOP


async def open_admin(page):
    await menu(page, "Administration")
    await expect(page).to_have_url(re.compile(r"#/admin$"))
    region = page.get_by_role("region", name="Administration")
    await expect(region).to_be_visible()
    return region


def row_of(region, username: str):
    return region.locator("#admin-people-rows tr", has_text=f"@{username}")


async def test_an_admin_deactivates_reactivates_and_makes_a_site_admin(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    bo_page = await new_page()
    await sign_in(bo_page, bo.username)
    page = await new_page()
    await sign_in(page, ana.username)
    region = await open_admin(page)
    bo_row = row_of(region, bo.username)
    await expect(bo_row).to_contain_text(f"{bo.username}@example.com")
    await expect(bo_row.locator("td").nth(3)).to_have_text("No")  # site admin
    await expect(bo_row.locator("td").nth(4)).to_have_text("Yes")  # active

    # the lock-out refusals come as sentences
    await row_of(region, ana.username).get_by_role("button", name="Deactivate Ana").click()
    await page.locator("#confirm-dialog").get_by_role("button", name="Deactivate").click()
    await expect(region.get_by_role("alert")).to_have_text("You can't deactivate your own account.")
    await (
        row_of(region, ana.username).get_by_role("button", name="Remove Ana as site admin").click()
    )
    await expect(region.get_by_role("alert")).to_contain_text(
        "at least one active site administrator"
    )

    # deactivation asks first; cancelling changes nothing
    await bo_row.get_by_role("button", name="Deactivate Bo").click()
    confirm = page.locator("#confirm-dialog")
    await expect(confirm).to_contain_text("Deactivate Bo?")
    await confirm.get_by_role("button", name="Cancel").click()
    await expect(confirm).to_be_hidden()
    await expect(bo_row.locator("td").nth(4)).to_have_text("Yes")
    await bo_row.get_by_role("button", name="Deactivate Bo").click()
    await confirm.get_by_role("button", name="Deactivate").click()
    await expect(bo_row.locator("td").nth(4)).to_have_text("No")
    await expect(bo_row.get_by_role("button", name="Reactivate Bo")).to_be_visible()

    # Bo's open tab is signed out, and signing in again is refused in words
    await expect(bo_page.get_by_role("form", name="Sign in")).to_be_visible()
    await expect(bo_page.locator("#auth-info")).to_have_text(
        "Your session has ended. Please sign in again."
    )
    form = bo_page.get_by_role("form", name="Sign in")
    await form.get_by_label("Email or username").fill(bo.username)
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Sign in").click()
    await expect(bo_page.get_by_role("alert")).to_have_text(
        "This account has been deactivated. Ask an administrator."
    )

    await bo_row.get_by_role("button", name="Reactivate Bo").click()
    await expect(bo_row.locator("td").nth(4)).to_have_text("Yes")
    await bo_row.get_by_role("button", name="Make Bo a site admin").click()
    await expect(bo_row.locator("td").nth(3)).to_have_text("Yes")
    await expect(bo_row.get_by_role("button", name="Remove Bo as site admin")).to_be_visible()

    # Bo is back in, now with the Administration entry
    await form.get_by_role("button", name="Sign in").click()
    await expect(bo_page.get_by_role("navigation", name="Chats")).to_be_visible()
    bo_region = await open_admin(bo_page)
    await expect(row_of(bo_region, ana.username)).to_be_visible()

    # every change is in the audit log, newest first, as sentences
    await page.get_by_role("tab", name="Audit log").click()
    log = page.get_by_role("list", name="Audit log")
    entries = log.locator(".audit-text")
    await expect(entries).to_have_text(
        [
            f"@{ana.username} made @{bo.username} a site administrator",
            f"@{ana.username} reactivated @{bo.username}",
            f"@{ana.username} deactivated @{bo.username}",
        ]
    )
    assert page.errors == [] and bo_page.errors == []


async def test_people_are_searched_and_paged(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    for n in range(21):
        await person(live, f"zed{n:02}x", f"Zed {n}")
    page = await new_page()
    await sign_in(page, ana.username)
    region = await open_admin(page)
    rows = region.locator("#admin-people-rows tr")
    await expect(rows).to_have_count(20)
    await expect(region.get_by_role("button", name="Previous page")).to_be_disabled()
    await region.get_by_role("button", name="Next page").click()
    await expect(rows).to_have_count(2)  # 22 accounts in all
    await expect(region.get_by_role("button", name="Next page")).to_be_disabled()
    await region.get_by_role("button", name="Previous page").click()
    await expect(rows).to_have_count(20)
    await region.get_by_role("searchbox", name="Search people").fill("Zed 7")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("Zed 7")
    assert page.errors == []


async def test_the_sign_in_page_follows_the_workspace(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_admin(page)
    await page.get_by_role("tab", name="Workspace").click()
    await page.get_by_label("Workspace name").fill("Acme")
    await page.get_by_label("Who may sign up").select_option("closed")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#workspace-info")).to_have_text("Saved.")

    visitor = await new_page()
    await visitor.goto("/")
    await expect(visitor.locator("#auth-workspace")).to_have_text("Acme")
    signin = visitor.get_by_role("form", name="Sign in")
    await expect(signin.get_by_text("ask an administrator for one")).to_be_visible()
    await expect(visitor.get_by_role("link", name="Create an account")).to_be_hidden()
    # the form by its address: the server's refusal is a sentence
    await visitor.goto("/#/register")
    form = visitor.get_by_role("form", name="Create an account")
    await expect(form.get_by_role("status")).to_have_text(
        "This workspace takes no new accounts: ask an administrator for one."
    )
    await form.get_by_label("Email").fill("cyd@example.com")
    await form.get_by_label("Username").fill("cyd")
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Create account").click()
    await expect(visitor.get_by_role("alert")).to_have_text(
        "This workspace takes no new accounts. Ask an administrator."
    )

    await page.get_by_label("Who may sign up").select_option("invite_only")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#workspace-info")).to_have_text("Saved.")
    await visitor.goto("/#/signin")
    await expect(signin.get_by_text("you need an invitation link")).to_be_visible()
    await expect(visitor.get_by_role("link", name="Create an account")).to_be_hidden()

    await page.get_by_label("Who may sign up").select_option("open")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#workspace-info")).to_have_text("Saved.")
    await visitor.reload()
    await expect(visitor.get_by_role("link", name="Create an account")).to_be_visible()
    await expect(visitor.locator("#registration-note")).to_be_hidden()

    await page.get_by_role("tab", name="Audit log").click()
    await expect(page.locator("#audit-list .audit-text").first).to_have_text(
        f'@{ana.username} set the workspace to "Acme", sign-up: anyone'
    )
    assert page.errors == [] and visitor.errors == []


async def test_someone_else_gets_no_admin_page(new_page, live):
    await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    page = await new_page()
    await sign_in(page, bo.username)
    await page.get_by_role("navigation").get_by_role("button", name="More").click()
    await expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    await expect(page.locator("#admin-button")).to_be_hidden()
    await page.keyboard.press("Escape")
    await page.goto("/#/admin")
    await expect(page.locator("#chat-empty")).to_be_visible()
    await expect(page.locator("#admin-page")).to_be_hidden()
    await expect(page.get_by_role("region", name="Administration")).to_have_count(0)
    await expect(page.locator("#admin-people-rows tr")).to_have_count(0)
    assert page.errors == []


async def test_the_tabs_work_from_the_keyboard(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_admin(page)
    people = page.get_by_role("tab", name="People")
    await people.focus()
    await page.keyboard.press("ArrowRight")
    invitations = page.get_by_role("tab", name="Invitations")
    await expect(invitations).to_be_focused()
    await expect(invitations).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_role("form", name="New invitation")).to_be_visible()
    await page.keyboard.press("Tab")  # into the tab's panel
    await page.keyboard.press("Tab")
    await expect(page.get_by_label(re.compile("^Email \\(optional"))).to_be_focused()
    # the admin page's back button returns to the chats
    await page.get_by_role("link", name="Back to chats").click()
    await expect(page.locator("#admin-page")).to_be_hidden()
    await expect(page.locator("#chat-empty")).to_be_visible()
    assert page.errors == []


async def test_removing_myself_as_site_admin_takes_the_page_away(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    await site_admin(live, "bo", "Bo")  # someone stays a site administrator
    page = await new_page()
    await sign_in(page, ana.username)
    region = await open_admin(page)
    await (
        row_of(region, ana.username).get_by_role("button", name="Remove Ana as site admin").click()
    )
    await expect(page.locator("#admin-page")).to_be_hidden()
    await expect(page.locator("#admin-button")).to_be_hidden()
    await expect(page.locator("#chat-empty")).to_be_visible()
    assert page.errors == []


async def test_the_audit_log_pages_back(new_page, live):
    import httpx

    ana = await site_admin(live, "ana", "Ana")
    async with httpx.AsyncClient(base_url=live.url) as http:
        for n in range(22):
            response = await http.post(
                "/api/admin/invitations",
                json={"email": f"guest{n:02}@example.com"},
                headers=ana.headers,
            )
            assert response.status_code == 201, response.text
    page = await new_page()
    await sign_in(page, ana.username)
    await open_admin(page)
    await page.get_by_role("tab", name="Audit log").click()
    entries = page.locator("#audit-list .audit-text")
    await expect(entries).to_have_count(20)
    await expect(entries.first).to_have_text(
        f"@{ana.username} created an invitation for guest21@example.com"
    )
    await page.get_by_role("button", name="Older entries").click()
    await expect(entries).to_have_count(22)
    await expect(entries.last).to_have_text(
        f"@{ana.username} created an invitation for guest00@example.com"
    )
    await expect(page.get_by_role("button", name="Older entries")).to_be_hidden()
    assert page.errors == []

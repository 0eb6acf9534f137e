"""The admin page (#/admin), for site administrators only: people deactivated (their open tab
is signed out at once) and reactivated, a site administrator made, the lock-out refusals said
in words, the workspace's sign-up mode followed by the sign-in page, its default groups and who
may create public groups, reporting a message and the review queue, and the audit log."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, menu, open_chat, sign_in
from tests.browser.seeding import group, person, say, site_admin

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
    # the entry says what this save changed, not every field the form sent
    await expect(page.locator("#audit-list .audit-text").first).to_have_text(
        f"@{ana.username} changed the workspace: sign-up: anyone"
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


async def public_group(live, owner, name: str) -> int:
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/chats", json={"name": name, "is_public": True}, headers=owner.headers
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]


async def test_the_groups_newcomers_join_and_who_may_create_public_ones(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    await public_group(live, ana, "lobby")
    await public_group(live, ana, "design")
    await group(live, ana, "secret")  # private: not offered as a default group
    page = await new_page()
    await sign_in(page, ana.username)
    await open_admin(page)
    await page.get_by_role("tab", name="Workspace").click()
    defaults = page.get_by_role("group", name="Groups every new member joins")
    await expect(defaults.get_by_role("checkbox")).to_have_count(2)
    await expect(defaults.get_by_label("secret")).to_have_count(0)
    await defaults.get_by_label("lobby").check()
    await defaults.get_by_label("design").check()
    await page.get_by_label("Who may create public groups").select_option("admins")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#workspace-info")).to_have_text("Saved.")

    # a newcomer is in both; an ordinary member may no longer make a public group, in words
    cyd = await person(live, "cyd", "Cyd")
    async with httpx.AsyncClient(base_url=live.url) as http:
        chats = (await http.get("/api/chats", headers=cyd.headers)).json()
    assert sorted(chat["name"] for chat in chats) == ["design", "lobby"]
    bo_page = await new_page()
    await sign_in(bo_page, bo.username)
    await bo_page.get_by_role("button", name="New group").click()
    dialog = bo_page.get_by_role("dialog", name="New group")
    await dialog.get_by_label("Name").fill("open house")
    await dialog.get_by_label(re.compile("Public")).check()
    await dialog.get_by_role("button", name="Create group").click()
    await expect(dialog.get_by_role("alert")).to_have_text(
        "Only site administrators may create public groups here."
    )

    # the page reads the stored settings back
    await page.reload()
    await page.get_by_role("tab", name="Workspace").click()
    await expect(defaults.get_by_label("lobby")).to_be_checked()
    await expect(defaults.get_by_label("design")).to_be_checked()
    await expect(page.get_by_label("Who may create public groups")).to_have_value("admins")
    await defaults.get_by_label("design").uncheck()
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#workspace-info")).to_have_text("Saved.")
    await page.get_by_role("tab", name="Audit log").click()
    await expect(page.locator("#audit-list .audit-text").first).to_have_text(
        f"@{ana.username} changed the workspace: newcomers join: lobby"
    )
    await expect(page.locator("#audit-list .audit-text").nth(1)).to_have_text(
        f"@{ana.username} changed the workspace: newcomers join: design, lobby, "
        "only site administrators may create public groups"
    )
    assert page.errors == [] and bo_page.errors == []


async def test_a_report_reaches_the_queue_which_deletes_the_message_and_deactivates(new_page, live):
    ana = await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    cyd = await person(live, "cyd", "Cyd")
    team = await group(live, ana, "team", [bo, cyd])
    first, second = await say(live, bo, team, "rude words", "more rude words")
    await say(live, cyd, team, "my own words")

    # Cyd reports Bo's first message from its actions, with a reason
    cyd_page = await new_page()
    await sign_in(cyd_page, cyd.username)
    await open_chat(cyd_page, "team")
    messages = cyd_page.locator("#messages")
    mine = messages.locator(".message", has_text="my own words")
    await mine.hover()
    await expect(mine.get_by_role("button", name="Reply")).to_be_visible()
    await expect(mine.get_by_role("button", name="Report…")).to_have_count(0)
    rude = messages.locator(".message", has_text="rude words").first
    await rude.hover()
    await rude.get_by_role("button", name="Report…").click()
    dialog = cyd_page.get_by_role("dialog", name="Report message")
    await expect(dialog.locator("#report-excerpt")).to_have_text("rude words")
    reason = dialog.get_by_label("Why? Only the site administrators read this.")
    await expect(reason).to_be_focused()
    await dialog.get_by_role("button", name="Report", exact=True).click()
    await expect(dialog.get_by_role("alert")).to_have_text("Say why you report it.")
    await reason.fill("insulting")
    await dialog.get_by_role("button", name="Report", exact=True).click()
    await expect(dialog).to_be_hidden()
    await expect(cyd_page.locator("#typing")).to_have_text(
        "Reported. The site administrators will look at it."
    )
    # once per person and message: the refusal is a sentence
    await rude.hover()
    await rude.get_by_role("button", name="Report…").click()
    await reason.fill("again")
    await dialog.get_by_role("button", name="Report", exact=True).click()
    await expect(dialog.get_by_role("alert")).to_have_text(
        "You have reported this message already."
    )
    await dialog.get_by_role("button", name="Cancel").click()
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            f"/api/messages/{second['id']}/report", json={"reason": "spam"}, headers=cyd.headers
        )
        assert response.status_code == 201, response.text

    # the queue, newest first, with who, why, where and what
    page = await new_page()
    await sign_in(page, ana.username)
    await open_admin(page)
    await page.get_by_role("tab", name="Reports").click()
    queue = page.get_by_role("list", name="Reports").locator("li[data-report-id]")
    await expect(queue).to_have_count(2)
    await expect(queue.locator(".report-what")).to_have_text(
        [f"@{cyd.username} reported a message by @{bo.username} in team"] * 2
    )
    await expect(queue.locator(".report-excerpt")).to_have_text(["more rude words", "rude words"])
    await expect(queue.locator(".report-reason")).to_have_text(
        ["Reason: spam", "Reason: insulting"]
    )

    # Delete message: gone for everyone, the report leaves the open queue
    older = queue.nth(1)
    await older.get_by_role("button", name=re.compile("^Delete the message of report")).click()
    confirm = page.locator("#confirm-dialog")
    await expect(confirm).to_contain_text("Delete this message for everyone?")
    await confirm.get_by_role("button", name="Delete message").click()
    await expect(queue).to_have_count(1)
    await expect(messages.locator(f'.message[data-seq="{first["seq"]}"]')).to_contain_text(
        "This message was deleted"
    )

    # Deactivate sender: Bo is signed out everywhere
    await queue.first.get_by_role("button", name=f"Deactivate @{bo.username}").click()
    await expect(confirm).to_contain_text(f"Deactivate @{bo.username}?")
    await confirm.get_by_role("button", name="Deactivate").click()
    await expect(page.get_by_role("list", name="Reports")).to_have_text("No reports to review.")
    async with httpx.AsyncClient(base_url=live.url) as http:
        refused = await http.get("/api/users/me", headers=bo.headers)
    assert refused.status_code == 401

    # resolved ones are kept: All shows how each was decided
    await page.get_by_label("Show", exact=True).select_option("all")
    await expect(queue.locator(".report-resolution")).to_have_text(
        [re.compile("^Sender deactivated on "), re.compile("^Message deleted on ")]
    )
    await expect(queue.get_by_role("button")).to_have_count(0)
    await page.get_by_role("tab", name="Audit log").click()
    await expect(page.locator("#audit-list .audit-text")).to_have_text(
        [
            f"@{ana.username} deactivated @{bo.username} over a reported message",
            f"@{ana.username} deactivated @{bo.username}",
            f"@{ana.username} deleted a reported message by @{bo.username}",
        ]
    )
    assert page.errors == [] and cyd_page.errors == []

"""The keyboard focus stays somewhere useful after an action replaces the control that had it:
Add, Make admin and Remove in the group panel (the focus fell to <body>, and Esc then no
longer closed the panel), and signing in."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sign_in
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP

ON_BODY = "!document.activeElement || document.activeElement === document.body"
IN_PANEL = "!!document.activeElement?.closest('#group-dialog')"


async def assert_focus_in_panel(page, after: str) -> None:
    assert not await page.evaluate(ON_BODY), f"the focus fell to <body> after {after}"
    assert await page.evaluate(IN_PANEL), f"the focus left the panel after {after}"


async def test_the_group_panel_keeps_the_focus_after_each_action(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    cy = await person(live, "cy", "Cy")
    await group(live, ana, "Crew", [bo])
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Crew")
    await page.get_by_role("button", name="Group settings").click()
    panel = page.get_by_role("dialog", name="Crew")
    members = panel.get_by_role("list", name="Members")
    await expect(members).to_contain_text("Bo")

    await panel.get_by_label("Add people").fill(cy.username)
    await panel.get_by_role("button", name="Add Cy").press("Enter")
    await expect(members).to_contain_text("Cy")
    await expect(panel.get_by_label("Add people")).to_be_focused()
    await assert_focus_in_panel(page, "Add")
    # Cy's row is drawn again once their profile and presence are in: wait for it, or the
    # next key may land on a button that redraw has just replaced (and do nothing)
    await expect(panel.get_by_role("button", name="Make Cy admin")).to_be_visible()
    await expect(members).to_contain_text("Cy @")

    await panel.get_by_role("button", name="Make Bo admin").press("Enter")
    unmake = panel.get_by_role("button", name="Unmake Bo admin")
    await expect(unmake).to_be_visible()
    await expect(unmake).to_be_focused()
    await assert_focus_in_panel(page, "Make admin")

    await panel.get_by_role("button", name="Remove Cy").press("Enter")
    await page.get_by_role("dialog").get_by_role("button", name="Remove", exact=True).press("Enter")
    await expect(members).not_to_contain_text("Cy")
    await expect(panel).to_be_visible()
    await assert_focus_in_panel(page, "Remove")

    await page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    assert page.errors == []


async def test_after_signing_in_the_focus_is_in_the_app(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    await expect(
        page.get_by_role("searchbox", name="Search chats, people and groups")
    ).to_be_focused()
    assert not await page.evaluate(ON_BODY)

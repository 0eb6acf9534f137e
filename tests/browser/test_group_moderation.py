"""A group's owner moderates from the group panel: mutes a member (whose composer then says
so, and whose send is refused with the reason and its words kept), unmutes, sets slow mode
(the member's composer says it and, after a send, the wait), bans and unbans."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, send, sidebar_chat, sign_in
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP


async def opened_panel(page):
    await page.get_by_role("button", name="Group settings").click()
    panel = page.get_by_role("dialog", name="Desk")
    await expect(panel.locator("#group-members")).to_contain_text("Bob")
    return panel


async def test_mute_unmute_and_slow_mode_reach_the_members_composer(new_page, live):
    ana, bob = await person(live, "ana", "Ana"), await person(live, "bob", "Bob")
    await group(live, ana, "Desk", [bob])
    ana_page, bob_page = await new_page(), await new_page()
    for page, who in ((ana_page, ana), (bob_page, bob)):
        await sign_in(page, who.username)
        await open_chat(page, "Desk")
    panel = await opened_panel(ana_page)

    note = bob_page.locator("#composer-note")
    await panel.get_by_label("Slow mode").select_option(label="1 minute")
    await panel.get_by_role("button", name="Save changes").click()
    await expect(note).to_contain_text("Slow mode: one message every 60 s")
    await send(bob_page, "slowly now")
    await expect(note).to_contain_text("Slow mode: you can send again in")
    await send(bob_page, "too soon")
    await expect(bob_page.locator("#typing")).to_contain_text("Not sent: Slow mode: wait")
    await panel.get_by_label("Slow mode").select_option(label="Off")
    await panel.get_by_role("button", name="Save changes").click()
    await expect(note).to_be_hidden()
    await panel.get_by_label("Mute Bob").select_option(label="for 10 minutes")
    await expect(panel.locator("#group-members")).to_contain_text("muted until")
    await expect(note).to_contain_text("You are muted in this group until")
    await bob_page.get_by_role("textbox", name="Message").fill("")
    await send(bob_page, "can I speak?")
    await expect(bob_page.locator("#typing")).to_contain_text(
        "Not sent: You are muted in this group until"
    )
    box = bob_page.get_by_role("textbox", name="Message")
    await expect(box).to_have_value("can I speak?")

    await panel.get_by_role("button", name="Unmute Bob").click()
    await expect(note).to_be_hidden()
    await box.press("Enter")
    log = bob_page.get_by_role("log", name="Messages")
    await expect(log.locator(".message.mine").last).to_contain_text("can I speak?")

    assert ana_page.errors == [] and bob_page.errors == []


async def test_ban_and_unban_from_the_panel(new_page, live):
    ana, bob = await person(live, "ana", "Ana"), await person(live, "bob", "Bob")
    await group(live, ana, "Desk", [bob])
    ana_page, bob_page = await new_page(), await new_page()
    for page, who in ((ana_page, ana), (bob_page, bob)):
        await sign_in(page, who.username)
        await open_chat(page, "Desk")
    panel = await opened_panel(ana_page)
    bans = panel.get_by_role("list", name="Banned")
    await expect(bans).to_contain_text("Nobody is banned.")

    await panel.get_by_role("button", name="Ban Bob").click()
    await ana_page.get_by_role("dialog").get_by_role("button", name="Ban", exact=True).click()
    await expect(bans).to_contain_text(f"@{bob.username}")
    await expect(panel.locator("#group-members")).not_to_contain_text("Bob")
    # bob's open chat goes from his list: he is no longer in it
    await expect(sidebar_chat(bob_page, "Desk")).to_have_count(0)

    await bans.get_by_role("button", name=f"Unban @{bob.username}").click()
    await expect(bans).to_contain_text("Nobody is banned.")
    assert ana_page.errors == [] and bob_page.errors == []

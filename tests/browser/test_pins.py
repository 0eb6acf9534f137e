"""Pins and saved messages in Chromium: pin a message from its actions (the pinned mark
shows), find it in the chat's Pinned panel; save another and find it in Saved messages, whose
entry opens the chat at it."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, menu, sidebar_chat, sign_in
from tests.browser.seeding import group, person, say
from tests.browser.test_safety import assert_accessible

pytestmark = MODULE_LOOP


async def test_pin_from_the_menu_and_save_for_later(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    team = await group(live, ana, "Launch", [bo])
    await say(live, bo, team, "the venue is booked", "bring the slides")

    page = await new_page()
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Launch").click()
    log = page.get_by_role("log", name="Messages")
    venue = log.locator(".message", has_text="the venue is booked")
    await venue.hover()
    await venue.get_by_role("button", name="Pin", exact=True).click()
    await expect(venue.get_by_role("img", name="Pinned")).to_be_visible()
    await expect(venue.get_by_role("button", name="Unpin")).to_have_count(1)

    await page.get_by_role("button", name="Pinned messages").click()
    pinned = page.get_by_role("dialog", name="Pinned messages")
    await expect(pinned.get_by_role("listitem")).to_have_count(1)
    await expect(pinned.get_by_role("listitem")).to_contain_text("the venue is booked")
    await expect(pinned.get_by_role("listitem")).to_contain_text("pinned by Ana")
    await assert_accessible(page, "pinned messages")
    await pinned.get_by_role("button", name="Close").click()
    await expect(pinned).to_be_hidden()

    slides = log.locator(".message", has_text="bring the slides")
    await slides.hover()
    await slides.get_by_role("button", name="Save for later").click()
    await expect(slides.get_by_role("button", name="Remove from saved")).to_have_count(1)

    await menu(page, "Saved messages")
    saved = page.get_by_role("dialog", name="Saved messages")
    entries = saved.get_by_role("listitem")
    await expect(entries).to_have_count(1)
    await expect(entries.first).to_contain_text("bring the slides")
    await expect(entries.first).to_contain_text("Launch")
    await entries.first.get_by_role("button").click()
    await expect(saved).to_be_hidden()
    await expect(slides).to_have_class(re.compile("highlighted"))

"""Slash commands and shortcodes from the composer in Chromium: the command list while "/" is
typed, /shrug and :wave: sent, /me shown as an emote, /help answered above the composer
without a message, and the reaction picker's search finding "rocket" in the full set."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, send, sidebar_chat, sign_in
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP


async def test_commands_shortcodes_and_the_emoji_search(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    await group(live, ana, "Slashes", [bo])
    page = await new_page()
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Slashes").click()
    messages = page.get_by_role("log", name="Messages")
    box = page.get_by_role("textbox", name="Message")

    await box.fill("/sh")
    suggestions = page.locator("#command-suggestions")
    await expect(suggestions).to_contain_text("/shrug [text]")
    await expect(suggestions).not_to_contain_text("/topic")

    await send(page, "/shrug")
    await expect(messages.locator(".message.mine .message-text").last).to_have_text(r"¯\_(ツ)_/¯")
    await expect(suggestions).to_be_hidden()
    await send(page, ":wave: hi")
    await expect(messages.locator(".message.mine .message-text").last).to_have_text("👋 hi")
    await send(page, "/me waves")
    await expect(messages.locator(".message.mine .emote").last).to_have_text("Ana waves")
    count = await messages.locator(".message").count()

    await send(page, "/help")
    result = page.get_by_role("status").filter(has_text="/topic")
    await expect(result).to_contain_text("sets the group's description")
    await expect(messages.locator(".message")).to_have_count(count)

    wave = messages.locator(".message", has_text="👋 hi")
    await wave.hover()
    await wave.get_by_role("button", name="Add reaction").click()
    picker = page.get_by_role("dialog", name="Pick a reaction")
    await picker.get_by_role("searchbox", name="Search emoji by name").fill("rocket")
    rocket = picker.get_by_role("button", name="rocket", exact=True)
    await expect(rocket).to_be_visible()
    await expect(picker.get_by_role("button", name="React with 👍")).to_be_hidden()
    await rocket.click()
    await expect(wave.locator(".reaction-chip", has_text="🚀")).to_have_text("🚀1")
    assert page.errors == []

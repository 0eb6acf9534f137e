"""The keyboard drives the client: Ctrl/Cmd+K switches chats by name, "?" lists the shortcuts,
Alt+Up/Down moves between chats, Up in an empty box edits my last message, Esc closes."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP


def heading(page, name: str):
    return page.get_by_role("main").get_by_role("heading", name=name, exact=True)


async def test_the_quick_switcher_opens_a_chat_by_name(new_page, live):
    ana = await person(live, "ana", "Ana")
    for name in ("design", "marketing", "random"):
        await group(live, ana, name)
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "random")
    await page.keyboard.press("Control+k")
    switcher = page.get_by_role("dialog", name="Go to a chat")
    await expect(switcher).to_be_visible()
    box = switcher.get_by_role("combobox", name="Chat name")
    await expect(box).to_be_focused()
    await box.fill("mark")
    await expect(switcher.get_by_role("option")).to_have_text(["marketing"])
    await box.press("Enter")
    await expect(switcher).to_be_hidden()
    await expect(heading(page, "marketing")).to_be_visible()

    # arrows pick among the matches; Esc closes without going anywhere
    await page.keyboard.press("Control+k")
    await expect(box).to_be_focused()
    await box.fill("d")
    await expect(switcher.get_by_role("option")).to_have_count(2)  # design, random
    await box.press("ArrowDown")
    await expect(switcher.get_by_role("option", selected=True)).to_have_count(1)
    await box.press("Escape")
    await expect(switcher).to_be_hidden()
    await expect(heading(page, "marketing")).to_be_visible()
    assert page.errors == []


async def test_question_mark_lists_the_shortcuts_and_esc_closes_them(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    await page.evaluate("document.activeElement.blur()")  # sign-in left it in the filter
    await page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(shortcuts).to_be_visible()
    await expect(shortcuts).to_contain_text("Go to a chat")
    await expect(shortcuts).to_contain_text("Previous or next chat")
    await page.keyboard.press("Escape")
    await expect(shortcuts).to_be_hidden()
    # typed into a box, "?" is just a character
    search = page.get_by_role("searchbox", name="Search chats, people and groups")
    await search.press("?")
    await expect(search).to_have_value("?")
    await expect(shortcuts).to_be_hidden()
    assert page.errors == []


async def test_alt_arrows_move_between_chats(new_page, live):
    ana = await person(live, "ana", "Ana")
    first = await group(live, ana, "first")
    second = await group(live, ana, "second")
    third = await group(live, ana, "third")
    # latest activity first in the list: third, second, first
    for chat_id in (first, second, third):
        await say(live, ana, chat_id, "hi")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "second")
    box = page.get_by_role("textbox", name="Message")
    await expect(box).to_be_focused()
    await box.press("Alt+ArrowDown")
    await expect(heading(page, "first")).to_be_visible()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(heading(page, "second")).to_be_visible()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(heading(page, "third")).to_be_visible()
    await page.keyboard.press("Alt+ArrowUp")  # the top stays the top
    await expect(heading(page, "third")).to_be_visible()
    assert page.errors == []


async def test_up_in_an_empty_box_edits_my_last_message(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "edits", [bo])
    await say(live, ana, chat_id, "first try", "second try")
    await say(live, bo, chat_id, "bo's word")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "edits")
    log = page.get_by_role("log", name="Messages")
    await expect(log.locator(".message", has_text="bo's word")).to_be_visible()
    box = page.get_by_role("textbox", name="Message")
    await box.press("ArrowUp")
    await expect(box).to_have_value("second try")
    await expect(page.locator("#editing-note")).to_be_visible()
    await box.fill("second try, fixed")
    await box.press("Enter")
    await expect(log.locator(".message.mine", has_text="second try, fixed")).to_contain_text(
        "edited"
    )
    await expect(page.locator("#editing-note")).to_be_hidden()
    # Esc cancels an edit started with Up
    await box.press("ArrowUp")
    await expect(box).to_have_value("second try, fixed")
    await box.press("Escape")
    await expect(box).to_have_value("")
    assert page.errors == []


async def test_on_a_phone_esc_goes_back_to_the_chat_list(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "pocket", [bo])
    [question] = await say(live, bo, chat_id, "are you there?")
    page = await new_page(375, 740)
    await sign_in(page, ana.username)
    await open_chat(page, "pocket")
    nav = page.get_by_role("navigation", name="Chats")
    await expect(nav).to_be_hidden()
    box = page.get_by_role("textbox", name="Message")
    # Esc first cancels the reply, and only then leaves the chat
    message = page.get_by_role("log", name="Messages").locator(".message", has_text="are you")
    await message.get_by_role("button", name="Reply").click()
    await expect(page.locator("#reply-bar")).to_be_visible()
    await box.press("Escape")
    await expect(page.locator("#reply-bar")).to_be_hidden()
    await expect(heading(page, "pocket")).to_be_visible()
    await box.press("Escape")
    await expect(nav).to_be_visible()
    await expect(heading(page, "pocket")).to_be_hidden()
    assert question["seq"] > 0 and page.errors == []

"""Two people in two browser contexts: a group, live messages both ways, typing, read state,
a rename, a removal; then a dropped connection that loses nothing and shows nothing twice."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    add_member,
    create_group,
    register,
    screenshot,
    send,
    unique,
)

pytestmark = MODULE_LOOP


def message_list(page):
    return page.get_by_role("log", name="Messages")


async def test_two_people_chat_live(new_page):
    ana_page, bo_page = await new_page(), await new_page()
    ana = await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")
    assert ana != bo

    await create_group(ana_page, "Team")
    panel = await add_member(ana_page, bo, "Bo")
    await panel.get_by_role("button", name="Close").click()

    # Bo gets the group live and opens it
    await bo_page.get_by_role("navigation").get_by_role("button", name="Team").click()
    await expect(bo_page.locator("#chat-title")).to_have_text("Team")

    await send(ana_page, "hello Bo")
    await expect(message_list(bo_page)).to_contain_text("hello Bo")
    # typing shows, and goes once the message is there
    await bo_page.get_by_role("textbox", name="Message").press_sequentially("hi")
    await expect(ana_page.locator("#typing")).to_have_text("Bo is typing…")
    await send(bo_page, "hi Ana")
    await expect(message_list(ana_page)).to_contain_text("hi Ana")
    await expect(ana_page.locator("#typing")).to_have_text("")
    # typing the next message at once shows again: the send reset the 3 s typing throttle
    await bo_page.get_by_role("textbox", name="Message").press_sequentially("and")
    await expect(ana_page.locator("#typing")).to_have_text("Bo is typing…")
    await send(bo_page, "and another")
    await expect(message_list(ana_page)).to_contain_text("and another")

    # read state: Bo has the chat open, so Ana's message is read by 1
    mine = ana_page.locator(".message.mine", has_text="hello Bo")
    await expect(mine).to_contain_text("Read by 1")
    await screenshot(ana_page, "desktop-chat")

    # edit and delete my own message: the other side sees "edited", then a tombstone
    await mine.hover()
    await mine.get_by_role("button", name="Edit message").click()
    await send(ana_page, "hello Bo, edited")
    await expect(
        message_list(bo_page).locator(".message", has_text="hello Bo, edited")
    ).to_contain_text("edited")
    edited = ana_page.locator(".message.mine", has_text="hello Bo, edited")
    await edited.hover()
    await edited.get_by_role("button", name="Delete message").click()
    await ana_page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    await expect(message_list(bo_page)).to_contain_text("This message was deleted")
    await expect(message_list(bo_page)).not_to_contain_text("hello Bo, edited")

    # a rename shows on the other side
    await ana_page.get_by_role("button", name="Group settings").click()
    panel = ana_page.get_by_role("dialog", name="Team")
    await panel.get_by_label("Name").fill("Team renamed")
    await panel.get_by_role("button", name="Save changes").click()
    await expect(bo_page.locator("#chat-title")).to_have_text("Team renamed")
    await expect(message_list(bo_page)).to_contain_text('renamed the group to "Team renamed"')
    await screenshot(ana_page, "desktop-group-panel")

    # the removed member loses the chat
    await panel.get_by_role("button", name="Remove Bo").click()
    await ana_page.get_by_role("dialog").get_by_role("button", name="Remove", exact=True).click()
    await expect(
        bo_page.get_by_role("navigation").get_by_role("button", name="Team renamed")
    ).to_have_count(0)
    await expect(bo_page.locator("#chat-open")).to_be_hidden()
    await expect(panel.locator("#group-members")).not_to_contain_text("Bo")
    await panel.get_by_role("button", name="Close").click()

    # Bo finds Ana in the search box and starts a direct chat; Ana sees it unread
    await bo_page.get_by_role("searchbox").fill("Ana")
    await bo_page.get_by_role("button", name="Message Ana").click()
    await send(bo_page, "just us")
    ana_item = ana_page.get_by_role("navigation").get_by_role("button", name=re.compile("^Bo"))
    await expect(ana_item).to_contain_text("just us")
    await expect(ana_item.get_by_label("1 unread")).to_be_visible()
    await expect(ana_page).to_have_title("(1) chinwag")
    await ana_item.click()
    await expect(bo_page.locator(".message.mine", has_text="just us")).to_contain_text("Read")
    await expect(ana_page).to_have_title("chinwag")
    assert ana_page.errors == [] and bo_page.errors == []


async def test_reconnect_resumes_without_loss_or_duplicates(new_page):
    ana_page, bo_page = await new_page(), await new_page()
    await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")
    await create_group(ana_page, "Resume")
    panel = await add_member(ana_page, bo, "Bo")
    await panel.get_by_role("button", name="Close").click()
    await bo_page.get_by_role("navigation").get_by_role("button", name="Resume").click()
    await send(ana_page, "before the drop")
    await expect(message_list(bo_page)).to_contain_text("before the drop")

    await bo_page.context.set_offline(True)
    await expect(bo_page.locator("#banner")).to_be_visible()
    for n in (1, 2, 3):
        await send(ana_page, f"missed {n}")
    await expect(ana_page.locator(".message.mine", has_text="missed 3")).not_to_contain_text(
        "Sending"
    )
    await bo_page.context.set_offline(False)

    await expect(bo_page.locator("#banner")).to_be_hidden()
    log = message_list(bo_page)
    for n in (1, 2, 3):
        await expect(log.locator(".message", has_text=f"missed {n}")).to_have_count(1)
    await expect(log.locator(".message", has_text="before the drop")).to_have_count(1)

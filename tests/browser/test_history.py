"""Infinite scroll upwards through a long history, desktop notifications for a chat that isn't
open, and chatting with the keyboard alone."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    PASSWORD,
    create_group,
    register,
    rest_login,
    sidebar_chat,
    sign_in,
    unique,
)
from tests.browser.seeding import RECORD_NOTIFICATIONS

pytestmark = MODULE_LOOP


async def seed_group(live, owner: str, name: str, member_ids=(), texts=()) -> int:
    """A group made by `owner` through the REST API, with these messages sent in order."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        headers = await rest_login(http, owner)
        response = await http.post(
            "/api/chats", json={"name": name, "member_ids": list(member_ids)}, headers=headers
        )
        assert response.status_code == 201, response.text
        chat_id = response.json()["id"]
        for number, text in enumerate(texts):
            response = await http.post(
                f"/api/chats/{chat_id}/messages",
                json={"text": text, "client_id": f"seed-{number}"},
                headers=headers,
            )
            assert response.status_code == 201, response.text
    return chat_id


async def user_id(live, name: str) -> int:
    async with httpx.AsyncClient(base_url=live.url) as http:
        headers = await rest_login(http, name)
        return (await http.get("/api/users/me", headers=headers)).json()["id"]


async def test_scrolling_up_loads_older_messages_once_each(new_page, live):
    # seeded before Ana's browser signs in, so none of it reaches the page live
    ana = unique("ana")
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/auth/register",
            json={"email": f"{ana}@example.com", "username": ana, "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
    texts = [f"history {n:03d}" for n in range(1, 121)]
    await seed_group(live, ana, "Archive", texts=texts)
    page = await new_page()
    await sign_in(page, ana)

    await sidebar_chat(page, "Archive").click()
    log = page.get_by_role("log", name="Messages")
    await expect(log.locator(".message-text").last).to_have_text("history 120")
    # the first page is the latest 50: the oldest isn't there until we scroll up
    assert await log.locator(".message-text", has_text="history 001").count() == 0
    messages = log.locator(".message-text")
    await expect(messages).to_have_count(50)
    # each scroll to the top loads one older page of 50, the last one with the rest
    for count in (100, 120):
        await log.evaluate("list => { list.scrollTop = 0; }")
        await expect(messages).to_have_count(count)
    await expect(log.locator(".message-text", has_text="history 001")).to_have_count(1)
    await expect(log.get_by_text("created the group")).to_have_count(1)
    shown = await log.locator(".message-text").all_text_contents()
    assert shown == texts  # all of them, in order, none twice
    # the reader keeps their place: the view didn't jump back to the newest message
    assert await log.evaluate("list => list.scrollTop > 0")
    assert page.errors == []


async def test_desktop_notification_for_another_chat(new_page, live):
    page = await new_page(permissions=("notifications",), init_script=RECORD_NOTIFICATIONS)
    ana_page = await new_page()
    bo = await register(page, unique("bo"), "Bo")
    ana = await register(ana_page, unique("ana"), "Ana")
    bo_id = await user_id(live, bo)
    await seed_group(live, ana, "Open one", member_ids=[bo_id])
    await seed_group(live, ana, "Other one", member_ids=[bo_id])

    await sidebar_chat(page, "Open one").click()
    await expect(page.locator("#chat-title")).to_have_text("Open one")
    await sidebar_chat(ana_page, "Open one").click()
    await ana_page.get_by_role("textbox", name="Message").fill("in the open chat")
    await ana_page.get_by_role("textbox", name="Message").press("Enter")
    await expect(page.get_by_role("log")).to_contain_text("in the open chat")
    await sidebar_chat(ana_page, "Other one").click()
    await ana_page.get_by_role("textbox", name="Message").fill("psst, over here")
    await ana_page.get_by_role("textbox", name="Message").press("Enter")

    # a message in the chat Bo is looking at doesn't notify; one in another chat does
    await expect(sidebar_chat(page, "Other one").get_by_label("1 unread")).to_be_visible()
    await page.wait_for_function("window.shownNotifications.length > 0")
    shown = await page.evaluate("window.shownNotifications")
    assert shown == [
        {"title": "Ana in Other one", "body": "psst, over here", "tag": shown[0]["tag"]}
    ]
    assert page.errors == []


async def test_keyboard_only_tab_to_the_composer_and_send(new_page):
    page = await new_page()
    await register(page, unique("ana"), "Ana")
    await create_group(page, "Keys")
    await page.goto("/#/")  # nothing focused, no chat open
    await page.reload()
    await expect(sidebar_chat(page, "Keys")).to_be_visible()

    # Tab through the sidebar to the chat, Enter opens it, and the composer has the focus
    for _ in range(15):
        await page.keyboard.press("Tab")
        if await sidebar_chat(page, "Keys").evaluate("item => item === document.activeElement"):
            break
    await expect(sidebar_chat(page, "Keys")).to_be_focused()
    await page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Message")
    await expect(box).to_be_focused()
    # from the log, Tab reaches the composer again; Shift+Enter is a new line, Enter sends
    await page.get_by_role("log").focus()
    await page.keyboard.press("Tab")
    await expect(box).to_be_focused()
    await page.keyboard.type("typed with keys")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("second line")
    await expect(box).to_have_value("typed with keys\nsecond line")
    await page.keyboard.press("Enter")
    mine = page.locator(".message.mine .message-text")
    await expect(mine).to_have_text("typed with keys\nsecond line")
    await expect(page.locator(".message.mine")).to_contain_text("Sent")
    await expect(box).to_have_value("")
    await expect(box).to_be_focused()
    assert page.errors == []

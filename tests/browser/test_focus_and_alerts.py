"""Dialogs keep the keyboard focus inside and give it back, and a message in the open chat
notifies only while the tab is hidden."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    PASSWORD,
    register,
    rest_login,
    sidebar_chat,
    unique,
)
from tests.browser.seeding import RECORD_NOTIFICATIONS
from tests.browser.test_history import seed_group, user_id

pytestmark = MODULE_LOOP

# The page's visibility, under the test's control: window.pretendHidden decides what
# document.hidden and document.visibilityState say (the client reads document.hidden).
PRETEND_VISIBILITY = """
(() => {
  window.pretendHidden = false;
  Object.defineProperty(document, "hidden", {
    configurable: true, get: () => window.pretendHidden,
  });
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => (window.pretendHidden ? "hidden" : "visible"),
  });
})();
"""

SET_HIDDEN = """hidden => {
  window.pretendHidden = hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""

FOCUS_IN_MODAL = "!!document.activeElement?.closest('.modal.show')"
FOCUSED = "document.activeElement.id || document.activeElement.outerHTML"


async def test_dialog_traps_focus_and_gives_it_back(new_page):
    page = await new_page()
    await register(page, unique("ana"), "Ana")

    opener = page.get_by_role("button", name="New group")
    await opener.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New group")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Name")).to_be_focused()

    # Tab (and Shift+Tab) cycle through the dialog's controls and never leave it
    visited = set()
    for key in ["Tab"] * 15 + ["Shift+Tab"] * 5:
        await page.keyboard.press(key)
        assert await page.evaluate(FOCUS_IN_MODAL), f"focus left the dialog after {key}"
        visited.add(await page.evaluate(FOCUSED))
    assert len(visited) > 1  # focus did move around inside

    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(opener).to_be_focused()
    assert page.errors == []


async def test_notification_for_the_open_chat_only_while_hidden(new_page, live):
    page = await new_page(
        permissions=("notifications",), init_script=RECORD_NOTIFICATIONS + PRETEND_VISIBILITY
    )
    bo = await register(page, unique("bo"), "Bo")
    ana = unique("ana")
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/auth/register",
            json={
                "email": f"{ana}@example.com",
                "username": ana,
                "display_name": "Ana",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
    chat_id = await seed_group(live, ana, "Open one", member_ids=[await user_id(live, bo)])

    await sidebar_chat(page, "Open one").click()
    await expect(page.locator("#chat-title")).to_have_text("Open one")
    log = page.get_by_role("log", name="Messages")

    async def ana_says(text: str, number: int) -> None:
        async with httpx.AsyncClient(base_url=live.url) as http:
            headers = await rest_login(http, ana)
            response = await http.post(
                f"/api/chats/{chat_id}/messages",
                json={"text": text, "client_id": f"alert-{number}"},
                headers=headers,
            )
            assert response.status_code == 201, response.text

    # visible, with the chat open: the message shows and nothing notifies
    await ana_says("while you watch", 1)
    await expect(log).to_contain_text("while you watch")
    assert await page.evaluate("window.shownNotifications") == []

    # hidden: the same chat's next message notifies, once
    await page.evaluate(SET_HIDDEN, True)
    assert await page.evaluate("document.hidden && document.visibilityState === 'hidden'")
    await ana_says("while you're away", 2)
    await page.wait_for_function("window.shownNotifications.length > 0")
    await expect(log).to_contain_text("while you're away")
    shown = await page.evaluate("window.shownNotifications")
    assert shown == [
        {"title": "Ana in Open one", "body": "while you're away", "tag": f"chat-{chat_id}"}
    ]

    # visible again: no more notifications
    await page.evaluate(SET_HIDDEN, False)
    await ana_says("back again", 3)
    await expect(log).to_contain_text("back again")
    assert len(await page.evaluate("window.shownNotifications")) == 1
    assert page.errors == []

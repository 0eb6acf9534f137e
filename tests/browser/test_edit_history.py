"""Edit history in Chromium: a message edited in the composer says "edited", which opens its
versions, the earlier words formatted as the message was; deleted meanwhile, the message takes
them with it and the dialog closes."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, send, sign_in
from tests.browser.seeding import group, person, say
from tests.browser.test_safety import assert_accessible

pytestmark = MODULE_LOOP


async def test_edited_opens_the_earlier_versions(new_page, live):
    ana = await person(live, "ana", "Ana")
    chat_id = await group(live, ana, "Plans")
    [message] = await say(live, ana, chat_id, "lunch at **noon**")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Plans")

    mine = page.locator(".message.mine", has_text="lunch at noon")
    await mine.hover()
    await mine.get_by_role("button", name="Edit message").click()
    await send(page, "lunch at one")
    edited = page.locator(".message.mine", has_text="lunch at one")
    await edited.get_by_role("button", name="Show earlier versions").click()

    dialog = page.get_by_role("dialog", name="Edit history")
    versions = dialog.get_by_role("listitem")
    await expect(versions).to_have_count(2)
    await expect(versions.nth(0)).to_contain_text("lunch at one")
    await expect(versions.nth(0)).to_contain_text("current")
    await expect(versions.nth(1)).to_contain_text("lunch at noon")
    await expect(versions.nth(1).locator("strong")).to_have_text("noon")  # rendered, not raw
    sent_at = versions.nth(1).locator("time")
    await expect(sent_at).to_have_attribute("datetime", message["created_at"])
    await assert_accessible(page, "the edit history dialog")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    # the focus comes back to "edited"
    await expect(edited.get_by_role("button", name="Show earlier versions")).to_be_focused()

    await edited.get_by_role("button", name="Show earlier versions").click()
    await expect(versions).to_have_count(2)

    # deleted for everyone (elsewhere) while open: its versions go with it
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.delete(f"/api/messages/{message['id']}", headers=ana.headers)
        assert response.status_code == 204, response.text
    await expect(dialog).to_be_hidden()
    await expect(dialog.get_by_role("listitem")).to_have_count(0)

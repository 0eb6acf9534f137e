"""A send the server refuses keeps its words: they come back into the box with the reason,
to be sent again (the box was cleared and only "Not sent: ..." remained)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, send, sign_in
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP


@pytest.fixture
def settings_overrides() -> dict:
    # one message, then the send budget is spent for a long while: the next is refused
    return {"ws_rate_burst": 1, "ws_rate_per_second": 0.001}


async def test_a_refused_send_puts_its_words_back(new_page, live):
    ana = await person(live, "ana", "Ana")
    await group(live, ana, "Budget")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Budget")
    await send(page, "the first one goes")
    log = page.get_by_role("log", name="Messages")
    await expect(log.locator(".message.mine")).to_contain_text("the first one goes")
    await send(page, "the second one is refused")
    await expect(page.get_by_role("textbox", name="Message")).to_have_value(
        "the second one is refused"
    )
    await expect(page.locator("#typing")).to_contain_text("Not sent: You're going too fast.")
    await expect(log).not_to_contain_text("the second one is refused")
    assert page.errors == []

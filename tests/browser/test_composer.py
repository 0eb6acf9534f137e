"""The composer: a counter near the length limit and a too-long text refused before sending
(it used to be sent, refused and lost); a box that grows with its text; a placeholder that
fits a phone; Enter adds a line on a touch screen; sending while scrolled up shows the sent
message, and "Latest" jumps down."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP

LIMIT = 50  # a small CHINWAG_MESSAGE_MAX_CHARS, told to the client in `ready`


@pytest.fixture
def settings_overrides() -> dict:
    return {"message_max_chars": LIMIT}


def log(page):
    return page.get_by_role("log", name="Messages")


async def one_chat(live, new_page, name: str, **page_options):
    ana = await person(live, "ana", "Ana")
    chat_id = await group(live, ana, name)
    page = await new_page(**page_options)
    await sign_in(page, ana.username)
    await open_chat(page, name)
    return ana, chat_id, page


async def test_a_counter_near_the_limit_and_a_long_text_kept_not_sent(new_page, live):
    _, _, page = await one_chat(live, new_page, "Limits")
    box = page.get_by_role("textbox", name="Message")
    counter = page.locator("#composer-count")
    send_button = page.get_by_role("button", name="Send", exact=True)

    await box.fill("x" * 40)
    await expect(counter).to_be_hidden()
    await box.fill("x" * 47)
    await expect(counter).to_have_text("3 characters left")
    too_long = "the very long words, " + "x" * 39  # 60 characters
    await box.fill(too_long)
    await expect(counter).to_contain_text("10 characters too long")
    await expect(counter).to_contain_text(f"at most {LIMIT} characters")
    await expect(send_button).to_be_disabled()
    await expect(box).to_have_attribute("aria-invalid", "true")
    await box.press("Enter")
    # refused here, before sending: the words stay, nothing goes out
    await expect(box).to_have_value(too_long)
    await expect(log(page)).not_to_contain_text("the very long words")

    await box.fill("the very long words, shortened")
    await expect(counter).to_be_hidden()
    await box.press("Enter")
    await expect(log(page).locator(".message.mine")).to_contain_text(
        "the very long words, shortened"
    )
    await expect(box).to_have_value("")
    assert page.errors == []


async def test_the_box_grows_with_its_lines_up_to_a_limit(new_page, live):
    _, _, page = await one_chat(live, new_page, "Growing")
    box = page.get_by_role("textbox", name="Message")
    one_line = (await box.bounding_box())["height"]
    # short lines: the module's limit is 50 characters
    await box.fill("\n".join(str(n) for n in range(1, 4)))
    three_lines = (await box.bounding_box())["height"]
    assert three_lines > one_line * 2
    await box.fill("\n".join(str(n) for n in range(1, 15)))
    fourteen = (await box.bounding_box())["height"]
    assert three_lines < fourteen < one_line * 14  # grown, then scrolling past its max height
    assert await box.evaluate("(b) => b.scrollHeight > b.clientHeight")
    await box.press("Enter")
    await expect(log(page).locator(".message.mine")).to_contain_text("13\n14")
    assert abs((await box.bounding_box())["height"] - one_line) < 1  # one line again once sent


async def test_on_a_phone_the_placeholder_fits_and_enter_adds_a_line(new_page, live):
    _, _, page = await one_chat(
        live,
        new_page,
        "Touch",
        width=375,
        height=740,
        context_options={"has_touch": True, "is_mobile": True},
    )
    box = page.get_by_role("textbox", name="Message")
    fits = await box.evaluate(
        """(b) => {
          const style = getComputedStyle(b);
          const context = document.createElement("canvas").getContext("2d");
          context.font = `${style.fontSize} ${style.fontFamily}`;
          const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
          const room = b.clientWidth - padding;
          return context.measureText(b.placeholder).width <= room;
        }"""
    )
    assert fits, "the placeholder is cut at 375 px"
    await box.fill("first line")
    await box.press("Enter")
    await box.type("second line")
    await expect(box).to_have_value("first line\nsecond line")
    await expect(log(page)).not_to_contain_text("first line")
    await page.get_by_role("button", name="Send", exact=True).tap()
    message = log(page).locator(".message.mine .message-text")
    await expect(message).to_contain_text("first line")
    assert "first line\nsecond line" in await message.inner_text()
    assert page.errors == []


async def scrolled_up(live, new_page, name: str):
    ana, chat_id, page = await one_chat(live, new_page, name, height=600)
    await say(live, ana, chat_id, *[f"older {n:02d}" for n in range(1, 41)])
    await expect(log(page)).to_contain_text("older 40")
    await log(page).evaluate("(list) => { list.scrollTop = 0; }")
    await expect(log(page).locator(".message", has_text="older 40")).not_to_be_in_viewport()
    return page


async def test_sending_while_scrolled_up_shows_the_sent_message(new_page, live):
    page = await scrolled_up(live, new_page, "Scrolled")
    box = page.get_by_role("textbox", name="Message")
    await box.fill("sent from up there")
    await box.press("Enter")
    mine = log(page).locator(".message", has_text="sent from up there")
    await expect(mine).to_be_in_viewport()
    await expect(mine).not_to_have_class(re.compile("pending"))  # still there after its ack
    await expect(mine).to_be_in_viewport()
    assert page.errors == []


async def test_latest_shows_when_scrolled_up_and_jumps_down(new_page, live):
    page = await scrolled_up(live, new_page, "Jumping")
    latest = page.get_by_role("button", name="Jump to the latest messages")
    await expect(latest).to_be_visible()
    await latest.click()
    await expect(log(page).locator(".message", has_text="older 40")).to_be_in_viewport()
    await expect(latest).to_be_hidden()
    await expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    assert page.errors == []

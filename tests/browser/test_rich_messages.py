"""Rich messages in Chromium, two people at once: markdown shown formatted and hostile
payloads shown inert, replies and their quotes, reactions through the picker, mentions
(highlight, the @ badge, autocomplete, a notification) and "Mark unread"."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, screenshot, send, sidebar_chat, sign_in
from tests.browser.seeding import (
    RECORD_NOTIFICATIONS,
    group,
    no_active_handlers,
    person,
    say,
)
from tests.browser.test_safety import assert_accessible

pytestmark = MODULE_LOOP

MARKDOWN = """**bold** and _italic_ and ~~gone~~ and `inline code`

```
def hello():
    return 1
```

> quoted wisdom

- one
- two

| name | score |
|------|-------|
| Ana  | 3     |

see https://example.com/docs
first line
second line"""

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(2))",
    "<script>alert(3)</script>",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(5)" onclick="alert(6)">raw link</a>',
    "![pixel](https://example.com/x.png)",
    "<svg onload=alert(7)>",
]


def log(page):
    return page.get_by_role("log", name="Messages")


async def two_in_a_group(live, new_page, name: str, **options):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, name, [bo])
    ana_page, bo_page = await new_page(), await new_page(**options)
    await sign_in(ana_page, ana.username)
    await sign_in(bo_page, bo.username)
    await sidebar_chat(ana_page, name).click()
    return ana, bo, chat_id, ana_page, bo_page


async def test_markdown_is_formatted_and_hostile_markup_stays_inert(new_page, live):
    ana, bo, chat_id, ana_page, bo_page = await two_in_a_group(live, new_page, "Markup")
    await sidebar_chat(bo_page, "Markup").click()
    await send(ana_page, MARKDOWN)
    for text in HOSTILE:
        await send(ana_page, text)

    message = log(bo_page).locator(".message", has_text="quoted wisdom")
    body = message.locator(".message-text")
    await expect(body.locator("strong")).to_have_text("bold")
    await expect(body.locator("em")).to_have_text("italic")
    await expect(body.locator("s, del")).to_have_text("gone")
    await expect(body.locator("p code")).to_have_text("inline code")
    await expect(body.locator("pre code")).to_contain_text("def hello():")
    await expect(body.locator("blockquote")).to_have_text("quoted wisdom")
    await expect(body.locator("ul li")).to_have_text(["one", "two"])
    await expect(body.locator("table td").first).to_have_text("Ana")
    link = body.get_by_role("link", name="https://example.com/docs")
    await expect(link).to_have_attribute("href", "https://example.com/docs")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", re.compile("noopener"))
    # a single line break stays a line break
    assert "first line\nsecond line" in await body.locator("p").last.text_content()

    await expect(log(bo_page).locator(".message-text", has_text="<svg onload")).to_have_count(1)
    await expect(log(bo_page).locator(".message-text", has_text=HOSTILE[0])).to_have_count(1)
    await expect(log(bo_page).locator(".message-text", has_text=HOSTILE[2])).to_have_count(1)
    for page in (ana_page, bo_page):
        messages = log(page)
        # links without a safe target keep their text and lose their href
        for name in ("click me", "data link", "pixel"):
            await expect(messages.get_by_text(name)).to_have_count(1)
        await messages.get_by_text("click me").click()
        await messages.get_by_text("data link").click()
        assert await messages.locator("img, script, svg, iframe, object").count() == 0
        assert await no_active_handlers(page) == []
        hrefs = await messages.locator("a[href]").evaluate_all("(as) => as.map((a) => a.href)")
        assert hrefs and all(h.startswith(("https:", "http:", "mailto:")) for h in hrefs)
        assert page.dialogs == []
        assert page.errors == []
    await assert_accessible(bo_page, "formatted messages")


async def test_reply_quotes_the_original_and_the_quote_scrolls_to_it(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Threads", [bo])
    [original] = await say(live, bo, chat_id, "the very first question")
    await say(live, ana, chat_id, *[f"filler {n:03d}" for n in range(1, 80)])
    await say(live, ana, chat_id, "answering that at last", reply_to=original["id"])

    page = await new_page()
    await sign_in(page, bo.username)
    await sidebar_chat(page, "Threads").click()
    reply = log(page).locator(".message", has_text="answering that at last")
    quote = reply.get_by_role("button", name=re.compile("^Go to the message from Bo"))
    await expect(quote).to_contain_text("the very first question")
    # the original is far up the history: not loaded yet
    first = log(page).locator(".message-text", has_text="the very first question")
    await expect(first).to_have_count(0)
    await quote.click()
    original_node = log(page).locator(f'.message[data-seq="{original["seq"]}"]')
    await expect(original_node).to_be_in_viewport()
    await expect(original_node).to_have_class(re.compile("highlighted"))
    await expect(original_node).to_be_focused()

    # Reply from the message's action: the bar above the composer, then the quote
    filler = log(page).locator(".message", has_text="filler 001")
    await filler.hover()
    await filler.get_by_role("button", name="Reply").click()
    bar = page.locator("#reply-bar")
    await expect(bar).to_be_visible()
    await expect(bar).to_contain_text("Replying to Ana: filler 001")
    await expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    await bar.get_by_role("button", name="Cancel reply").click()
    await expect(bar).to_be_hidden()
    await filler.hover()
    await filler.get_by_role("button", name="Reply").click()
    await send(page, "replying to the filler")
    await expect(bar).to_be_hidden()
    mine = log(page).locator(".message.mine", has_text="replying to the filler")
    await expect(mine.locator(".reply-quote")).to_contain_text("Ana filler 001")
    await expect(mine).to_contain_text("Sent")
    await expect(mine).not_to_contain_text("Sending")
    assert page.errors == []


async def test_reactions_through_the_picker_show_live_and_toggle(new_page, live):
    ana, bo, chat_id, ana_page, bo_page = await two_in_a_group(live, new_page, "Reacts")
    await sidebar_chat(bo_page, "Reacts").click()
    await send(bo_page, "react to this")
    theirs = log(ana_page).locator(".message", has_text="react to this")
    await theirs.hover()
    await theirs.get_by_role("button", name="Add reaction").click()
    picker = ana_page.get_by_role("dialog", name="Pick a reaction")
    await expect(picker).to_be_visible()
    await expect(picker.get_by_role("button", name="React with 👍")).to_be_focused()
    await ana_page.keyboard.press("Escape")
    await expect(picker).to_be_hidden()
    await expect(theirs.get_by_role("button", name="Add reaction")).to_be_focused()
    await ana_page.keyboard.press("Enter")
    await picker.get_by_role("button", name="React with 🎉").click()
    await expect(picker).to_be_hidden()

    chip_on_bo = (
        log(bo_page)
        .locator(".message", has_text="react to this")
        .locator(".reaction-chip", has_text="🎉")
    )
    await expect(chip_on_bo).to_have_text("🎉1")
    await expect(chip_on_bo).to_have_attribute("aria-pressed", "false")
    await expect(chip_on_bo).to_have_attribute("aria-label", "🎉 1: Ana")
    chip_on_ana = theirs.locator(".reaction-chip", has_text="🎉")
    await expect(chip_on_ana).to_have_attribute("aria-pressed", "true")

    # Bo joins in by clicking the chip; Ana takes hers back
    await chip_on_bo.click()
    await expect(chip_on_ana).to_have_text("🎉2")
    await expect(chip_on_ana).to_have_attribute("title", re.compile("you, Bo|Bo, you"))
    await expect(chip_on_bo).to_have_attribute("aria-pressed", "true")
    await chip_on_ana.click()
    await expect(chip_on_bo).to_have_text("🎉1")
    await expect(chip_on_bo).to_have_attribute("aria-label", "🎉 1: you")
    await expect(chip_on_ana).to_have_attribute("aria-pressed", "false")
    await chip_on_bo.click()
    await expect(log(ana_page).locator(".reaction-chip")).to_have_count(0)
    await expect(log(bo_page).locator(".reaction-chip")).to_have_count(0)
    await assert_accessible(ana_page, "reactions")
    assert ana_page.errors == [] and bo_page.errors == []


async def test_mention_highlights_badges_and_notifies(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Mentions", [bo])
    await group(live, bo, "Elsewhere")
    ana_page = await new_page()
    bo_page = await new_page(permissions=("notifications",), init_script=RECORD_NOTIFICATIONS)
    await sign_in(ana_page, ana.username)
    await sign_in(bo_page, bo.username)
    await sidebar_chat(ana_page, "Mentions").click()
    await sidebar_chat(bo_page, "Elsewhere").click()

    # autocomplete: @ and the start of a name offers the member
    box = ana_page.get_by_role("textbox", name="Message")
    await box.fill("")
    await box.press_sequentially("look here @" + bo.username[:2])
    option = ana_page.get_by_role("option", name=re.compile(f"@{bo.username}"))
    await expect(option).to_be_visible()
    await box.press("Enter")
    await expect(box).to_have_value(f"look here @{bo.username} ")
    await box.press_sequentially("please")
    await box.press("Enter")

    row = sidebar_chat(bo_page, "Mentions")
    await expect(row.get_by_label("1 mention")).to_be_visible()
    await expect(row.get_by_label("1 unread")).to_be_visible()
    await expect(bo_page).to_have_title("(@1 · 1) chinwag")
    await bo_page.wait_for_function("() => window.shownNotifications.length > 0")
    shown = await bo_page.evaluate("window.shownNotifications")
    assert len(shown) == 1, shown  # one notification, the mention, not also the plain one
    assert shown[-1]["title"] == "Ana mentioned you in Mentions"
    assert shown[-1]["body"] == f"look here @{bo.username} please"
    assert shown[-1]["tag"] == f"chat-{chat_id}"

    await row.click()
    message = log(bo_page).locator(".message", has_text="look here")
    await expect(message).to_have_class(re.compile("mentions-me"))
    await expect(message.locator(".mention.mention-me")).to_have_text(f"@{bo.username}")
    await expect(row.get_by_label("1 mention")).to_have_count(0)
    await expect(bo_page).to_have_title("chinwag")
    # on Ana's side the mention is shown, not as "me"
    mine = log(ana_page).locator(".message.mine", has_text="look here")
    await expect(mine.locator(".mention")).to_have_attribute("data-user-id", str(bo.id))
    await expect(mine.locator(".mention-me")).to_have_count(0)
    assert ana_page.errors == [] and bo_page.errors == []


async def test_mark_unread_counts_again_until_the_chat_is_opened_again(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Later", [bo])
    await group(live, bo, "Other room")
    await say(live, ana, chat_id, "one", "two", "three")
    page = await new_page()
    await sign_in(page, bo.username)
    row = sidebar_chat(page, "Later")
    await expect(row.get_by_label("3 unread")).to_be_visible()
    await row.click()
    await expect(row.locator(".badge")).to_have_count(0)
    await expect(log(page).locator(".unread-marker")).to_have_text("New messages")

    two = log(page).locator(".message", has_text="two")
    await two.hover()
    await two.get_by_role("button", name="Mark unread").click()
    await expect(row.get_by_label("2 unread")).to_be_visible()
    await expect(page).to_have_title("(2) chinwag")
    marker_then_two = log(page).locator(".unread-marker + .message")
    await expect(marker_then_two).to_contain_text("two")
    # the chat is open but doesn't read itself again: new activity counts too
    await say(live, ana, chat_id, "four")
    await expect(log(page)).to_contain_text("four")
    await expect(row.get_by_label("3 unread")).to_be_visible()
    # the server holds the pointer, and a reload (which opens the chat again, so reads it)
    # shows the "New messages" line where it was
    async with httpx.AsyncClient(base_url=live.url) as http:
        view = (await http.get(f"/api/chats/{chat_id}", headers=bo.headers)).json()
    assert view["unread"] == 3
    await page.reload()
    await expect(log(page).locator(".unread-marker + .message")).to_contain_text("two")
    # opening it again reads it
    await sidebar_chat(page, "Other room").click()
    await sidebar_chat(page, "Later").click()
    await expect(sidebar_chat(page, "Later").locator(".badge")).to_have_count(0)
    await expect(page).to_have_title("chinwag")
    assert page.errors == []


async def test_keyboard_reaches_message_actions_and_phone_layout_fits(new_page, live):
    ana = await person(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Pocket", [bo])
    wide = "a long line " * 30 + "\n\n```\n" + "wide_code_line(" * 20 + "\n```\n\n"
    [long] = await say(live, bo, chat_id, wide + "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |")
    await say(live, bo, chat_id, "the last one")
    page = await new_page(375, 740)
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Pocket").click()
    await expect(log(page)).to_contain_text("the last one")

    # Up from the log focuses the newest message, Up again the one before; Tab reaches its actions
    await log(page).focus()
    await page.keyboard.press("ArrowUp")
    last = log(page).locator(".message", has_text="the last one")
    await expect(last).to_be_focused()
    await page.keyboard.press("ArrowUp")
    first = log(page).locator(f'.message[data-seq="{long["seq"]}"]')
    await expect(first).to_be_focused()
    reply = first.get_by_role("button", name="Reply")
    for _ in range(4):  # past the wide code block and table: they scroll, so they take focus
        await page.keyboard.press("Tab")
        if await reply.evaluate("(button) => button === document.activeElement"):
            break
    await expect(reply).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#reply-bar")).to_contain_text("Replying to Bo: a long line")
    await expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.locator("#reply-bar")).to_be_hidden()

    # on a phone nothing pushes the page sideways: wide code and tables scroll inside
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    box = await first.locator(".bubble").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    for name in ("Reply", "Add reaction", "Mark unread"):
        await expect(first.get_by_role("button", name=name)).to_be_visible()
    await expect(page.get_by_role("button", name="Attach files")).to_be_visible()
    await expect(page.get_by_role("button", name="Search in this chat")).to_be_visible()
    await screenshot(page, "phone-rich-messages")
    await assert_accessible(page, "phone chat")
    assert page.errors == []

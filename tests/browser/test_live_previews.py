"""What other parts of the page say about a message follows it live: the sidebar's preview and
the quotes of replies change when the message is edited or deleted, without a reload; and
previews, quotes and search snippets show its words, not its Markdown."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sidebar_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP


def preview(page, chat_name: str):
    return sidebar_chat(page, chat_name).locator(".chat-preview")


async def rest(live, method: str, path: str, who, **body):
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.request(method, path, headers=who.headers, json=body or None)
        assert response.is_success, response.text
        return response


async def test_a_message_deleted_for_everyone_leaves_every_sidebar_at_once(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Plans", [bo])
    await group(live, ana, "Elsewhere", [bo])
    ana_page, bo_page = await new_page(), await new_page()
    await sign_in(ana_page, ana.username)
    await sign_in(bo_page, bo.username)
    # Bo looks at another chat; Ana has this one open: both previews come from live events
    await open_chat(bo_page, "Elsewhere")
    await open_chat(ana_page, "Plans")
    [secret] = await say(live, ana, chat_id, "the secret plan")
    await expect(preview(bo_page, "Plans")).to_have_text("Ana: the secret plan")
    await expect(preview(ana_page, "Plans")).to_have_text("You: the secret plan")

    await rest(live, "DELETE", f"/api/messages/{secret['id']}", ana)
    for page in (ana_page, bo_page):
        await expect(preview(page, "Plans")).to_have_text("Message deleted")
        await expect(page.get_by_role("navigation")).not_to_contain_text("secret plan")
        assert page.errors == []


async def test_a_quote_follows_the_edit_and_the_deletion_of_the_original(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Quotes", [bo])
    [original] = await say(live, ana, chat_id, "we meet on Monday")
    await say(live, bo, chat_id, "fine by me", reply_to=original["id"])
    page = await new_page()
    await sign_in(page, bo.username)
    await open_chat(page, "Quotes")
    quote = page.get_by_role("log", name="Messages").locator(".reply-quote")
    await expect(quote).to_contain_text("we meet on Monday")

    await rest(live, "PATCH", f"/api/messages/{original['id']}", ana, text="we meet on Tuesday")
    await expect(quote).to_contain_text("we meet on Tuesday")
    await expect(quote).not_to_contain_text("Monday")

    await rest(live, "DELETE", f"/api/messages/{original['id']}", ana)
    await expect(quote).to_contain_text("Original message deleted")
    await expect(quote).not_to_contain_text("Tuesday")
    assert page.errors == []


MARKDOWN = (
    "**Welcome** to #design, _everyone_: see [the guide](https://example.com/g) and `make run`"
)
WORDS = "Welcome to #design, everyone: see the guide and make run"


async def test_previews_quotes_and_search_show_words_not_markdown(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Words", [bo])
    [welcome] = await say(live, ana, chat_id, MARKDOWN)
    page = await new_page()
    await sign_in(page, bo.username)
    await expect(preview(page, "Words")).to_have_text(f"Ana: {WORDS}")

    await say(live, bo, chat_id, "thanks, snake_case_name is kept", reply_to=welcome["id"])
    await open_chat(page, "Words")
    quote = page.get_by_role("log", name="Messages").locator(".reply-quote")
    await expect(quote).to_contain_text(WORDS)
    await expect(preview(page, "Words")).to_have_text("You: thanks, snake_case_name is kept")

    await page.get_by_role("button", name="Search messages").click()
    dialog = page.get_by_role("dialog", name="Search messages")
    await dialog.get_by_label("Words to find").fill("welcome")
    snippet = dialog.locator(".search-snippet")
    await expect(snippet).to_contain_text("Welcome to #design, everyone")
    await expect(snippet.locator("mark")).to_have_text(["Welcome"])
    for mark in ("**", "_everyone", "[the guide]", "`"):
        await expect(snippet).not_to_contain_text(mark)
    assert page.errors == []


async def test_the_reply_bar_follows_the_edit_and_the_deletion_of_its_message(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Answers", [bo])
    [question] = await say(live, ana, chat_id, "lunch at noon?")
    page = await new_page()
    await sign_in(page, bo.username)
    await open_chat(page, "Answers")
    log = page.get_by_role("log", name="Messages")
    message = log.locator(".message", has_text="lunch at noon?")
    await message.hover()
    await message.get_by_role("button", name="Reply").click()
    bar = page.locator("#reply-bar")
    await expect(bar).to_contain_text("lunch at noon?")

    await rest(live, "PATCH", f"/api/messages/{question['id']}", ana, text="lunch at one?")
    await expect(bar).to_contain_text("lunch at one?")
    await expect(bar).not_to_contain_text("noon")

    await rest(live, "DELETE", f"/api/messages/{question['id']}", ana)
    await expect(bar).to_be_hidden()
    await expect(page.locator("#typing")).to_have_text(
        "The message you were answering was deleted."
    )
    # what is sent now is no reply to a deleted message
    await page.get_by_role("textbox", name="Message").fill("never mind")
    await page.get_by_role("textbox", name="Message").press("Enter")
    sent = log.locator(".message.mine", has_text="never mind")
    await expect(sent).to_have_attribute("data-seq", re.compile(r"\d+"))
    await expect(sent.locator(".reply-quote")).to_have_count(0)
    assert page.errors == []

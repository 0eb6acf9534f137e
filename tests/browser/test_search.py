"""Message search in Chromium: the dialog finds a message far back in a long history, shows
chat, author, time and a marked snippet, opens the chat at that message with its neighbours,
and scrolling down from there loads newer pages until the chat is live again."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, screenshot, send, sidebar_chat, sign_in
from tests.browser.seeding import group, person, say
from tests.browser.test_safety import assert_accessible

pytestmark = MODULE_LOOP


def log(page):
    return page.get_by_role("log", name="Messages")


async def test_search_opens_the_chat_at_the_hit_with_its_neighbours(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    archive = await group(live, ana, "Archive", [bo])
    elsewhere = await group(live, ana, "Elsewhere", [bo])
    await say(live, bo, elsewhere, "Is the **launch** still on Friday?", "launch party after?")
    texts = [f"history {n:03d}" for n in range(1, 161)]
    texts[39] = "the launch checklist lives in the wiki"  # history 040
    await say(live, ana, archive, *texts[:100])
    await say(live, bo, archive, *texts[100:])

    page = await new_page()
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Elsewhere").click()
    await page.get_by_role("button", name="Search messages").click()
    dialog = page.get_by_role("dialog", name="Search messages")
    box = dialog.get_by_role("searchbox", name="Words to find")
    await expect(box).to_be_focused()
    await box.fill("launch")
    hits = dialog.get_by_role("list", name="Search results").get_by_role("listitem")
    await expect(hits).to_have_count(3)
    await expect(dialog.locator("mark").first).to_be_visible()
    await screenshot(page, "desktop-search")
    await box.fill("checklist")
    await expect(hits).to_have_count(1)
    await expect(dialog.get_by_role("status")).to_have_text("1 message found")
    await expect(hits.first).to_contain_text("Archive")
    await expect(hits.first).to_contain_text("Ana")
    await expect(hits.first.locator("time")).to_be_visible()
    await expect(hits.first.locator("mark")).to_have_text("checklist")
    await assert_accessible(page, "search results")

    await hits.first.get_by_role("button").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#chat-title")).to_have_text("Archive")
    hit = log(page).locator(".message", has_text="the launch checklist")
    await expect(hit).to_be_in_viewport()
    await expect(hit).to_have_class(re.compile("highlighted"))
    # its neighbours came with it, the newest messages did not
    for n in (15, 39, 41, 64):
        await expect(log(page).get_by_text(f"history {n:03d}", exact=True)).to_have_count(1)
    await expect(log(page).get_by_text("history 160", exact=True)).to_have_count(0)

    # a message sent meanwhile doesn't leave a gap: it waits for scrolling down
    await say(live, bo, archive, "live while scrolled back")
    await expect(sidebar_chat(page, "Archive")).to_contain_text("live while scrolled back")
    await expect(log(page).get_by_text("live while scrolled back")).to_have_count(0)

    # scrolling down loads newer pages until the chat is live again
    newest = log(page).get_by_text("live while scrolled back")
    for _ in range(10):
        if await newest.count():
            break
        await log(page).evaluate("(list) => { list.scrollTop = list.scrollHeight; }")
        await page.wait_for_function(
            """() => {
              const list = document.getElementById('messages');
              return list.scrollHeight - list.scrollTop - list.clientHeight > 80
                || list.textContent.includes('live while scrolled back');
            }"""
        )
    await expect(newest).to_have_count(1)
    shown = await log(page).locator(".message-text").all_text_contents()
    numbers = [int(t.split()[1]) for t in shown if re.fullmatch(r"history \d{3}", t)]
    assert numbers == sorted(set(numbers)) and numbers[-1] == 160
    assert set(range(numbers[0], 161)) - {40} == set(numbers)  # no gap, nothing twice
    await send(page, "and now I'm live")
    mine = log(page).locator(".message.mine", has_text="and now I'm live")
    await expect(mine).to_contain_text("Sent")
    await expect(log(page).locator(".message[data-seq]").last).to_contain_text("and now I'm live")
    assert page.errors == []


async def test_search_in_this_chat_safe_snippets_and_hostile_queries(new_page, live):
    ana = await person(live, "ana", "Ana")
    here = await group(live, ana, "Here")
    there = await group(live, ana, "There")
    await say(live, ana, here, "<b>bold</b> words about <img src=x onerror=alert(1)> pelicans")
    await say(live, ana, there, "pelicans over there")
    page = await new_page()
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Here").click()
    await page.get_by_role("button", name="Search in this chat").click()
    dialog = page.get_by_role("dialog", name="Search messages")
    await expect(dialog.get_by_label("Where to search")).to_have_value(str(here))
    await dialog.get_by_role("searchbox").fill("pelicans")
    results = dialog.get_by_role("list", name="Search results")
    await expect(results.get_by_role("listitem")).to_have_count(1)
    await expect(results).to_contain_text("<img src=x onerror=alert(1)>")
    assert await results.locator("img, b").count() == 0
    await dialog.get_by_label("Where to search").select_option("")
    await expect(results.get_by_role("listitem")).to_have_count(2)

    for query in ('"unclosed', "AND OR NOT (", "*", "-", "<script>", "NEAR(a b)"):
        await dialog.get_by_role("searchbox").fill(query)
        await dialog.get_by_role("searchbox").press("Enter")  # asks at once: "Searching…"
        # an answer (hits or none), never an error: query text is words, not syntax
        await expect(dialog.get_by_role("status")).to_have_text(re.compile("found$"))
    assert page.dialogs == [] and page.errors == []


async def _say_with_file(live, who, chat_id: int, text: str) -> None:
    async with httpx.AsyncClient(base_url=live.url) as http:
        stored = await http.post(
            "/api/files", headers=who.headers, files={"file": ("plan.txt", b"plan", "text/plain")}
        )
        assert stored.status_code == 201, stored.text
        response = await http.post(
            f"/api/chats/{chat_id}/messages",
            json={"text": text, "attachment_ids": [stored.json()["id"]]},
            headers=who.headers,
        )
        assert response.status_code == 201, response.text


async def test_search_operators_typed_in_the_box(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    plans = await group(live, ana, "Plans", [bo])
    await _say_with_file(live, ana, plans, "the plan, attached")
    await _say_with_file(live, bo, plans, "my plan, attached too")
    await say(live, ana, plans, "the plan, no file")
    page = await new_page()
    await sign_in(page, bo.username)
    await page.get_by_role("button", name="Search messages").click()
    dialog = page.get_by_role("dialog", name="Search messages")
    await dialog.get_by_role("button", name="Search operators").click()
    await expect(dialog.get_by_role("region", name="Search operators")).to_contain_text("has:file")
    box = dialog.get_by_role("searchbox", name="Words to find")
    await box.fill(f"from:@{ana.username} has:file")
    hits = dialog.get_by_role("list", name="Search results").get_by_role("listitem")
    await expect(dialog.get_by_role("status")).to_have_text("1 message found")
    await expect(hits).to_have_count(1)
    await expect(hits.first).to_contain_text("the plan, attached")
    await expect(hits.first).to_contain_text("Ana")
    chips = dialog.get_by_role("list", name="Filters").get_by_role("listitem")
    await expect(chips).to_have_text([f"from:@{ana.username}", "has:file"])
    await box.fill("before:2026-02-30")
    await expect(dialog.get_by_role("status")).to_contain_text("before:2026-02-30")
    await expect(hits).to_have_count(0)
    assert page.errors == []

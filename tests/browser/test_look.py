"""The client's own look: dark mode (following the system, a choice kept in settings), the
tab's icon counting unread messages, times in the chat list, guiding empty states, a header
that leaves room for my name, tooltips on every icon button, and an unread badge that stays
visible on the open chat's row."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sidebar_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP


async def theme(page) -> str:
    return await page.evaluate("document.documentElement.dataset.bsTheme")


async def test_dark_mode_follows_the_system_and_the_choice_is_kept(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page(context_options={"color_scheme": "dark"})
    await sign_in(page, ana.username)
    await expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    dark_bg = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    # the system changes its mind (evening, morning): "system" follows at once
    await page.emulate_media(color_scheme="light")
    await expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    await page.emulate_media(color_scheme="dark")
    await expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")

    await page.get_by_role("button", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account")
    await expect(dialog.get_by_label("Theme")).to_have_value("system")
    saved = page.expect_response(
        lambda r: r.url.endswith("/api/users/me") and r.request.method == "PATCH"
    )
    async with saved as answer:
        await dialog.get_by_label("Theme").select_option("light")
    assert (await answer.value).ok
    await expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") != dark_bg
    async with httpx.AsyncClient(base_url=live.url) as http:
        me = (await http.get("/api/users/me", headers=ana.headers)).json()
    assert me["settings"]["theme"] == "light"

    # another device of mine, also in a dark system: my choice follows me there
    other = await new_page(context_options={"color_scheme": "dark"})
    await sign_in(other, ana.username)
    await expect(other.locator("html")).to_have_attribute("data-bs-theme", "light")
    assert page.errors == [] and other.errors == []


async def test_the_tab_icon_counts_unread_messages(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, bo, "News", [ana])
    await group(live, bo, "Quiet", [ana])
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Quiet")
    icon = page.locator("link#favicon")
    await expect(icon).to_have_attribute("data-unread", "0")
    calm = await icon.get_attribute("href")
    assert calm.startswith("data:image/png;base64,")

    await say(live, bo, chat_id, "one", "two")
    await expect(icon).to_have_attribute("data-unread", "2")
    counted = await icon.get_attribute("href")
    assert counted.startswith("data:image/png;base64,") and counted != calm

    await open_chat(page, "News")
    await expect(icon).to_have_attribute("data-unread", "0")
    assert await icon.get_attribute("href") == calm
    assert page.errors == []


async def test_the_chat_list_shows_when_the_last_message_came(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, bo, "Times", [ana])
    page = await new_page()
    await sign_in(page, ana.username)
    row = sidebar_chat(page, "Times")
    await say(live, bo, chat_id, "what time is it")
    # the preview first: the time belongs to a message that has arrived
    await expect(row.locator(".chat-preview")).to_have_text("Bo: what time is it")
    stamp = row.locator("time.chat-time")
    await expect(stamp).to_have_text(re.compile(r"^\d{1,2}:\d{2}( [AP]M)?$"))
    assert await stamp.get_attribute("datetime")
    assert page.errors == []


async def test_the_unread_badge_stays_visible_on_the_open_chat(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, bo, "Badges", [ana])
    await say(live, bo, chat_id, "first", "second")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Badges")
    log = page.get_by_role("log", name="Messages")
    first = log.locator(".message", has_text="first")
    await first.hover()
    await first.get_by_role("button", name="Mark unread").click()
    row = sidebar_chat(page, "Badges")
    badge = row.locator(".badge.text-bg-primary")
    await expect(row).to_have_class(re.compile(r"\bactive\b"))
    await expect(badge).to_have_text("2")
    # one look at the row as it is now (the list re-renders, so no handle is kept)
    colours = await page.evaluate(
        """() => {
          const row = document.querySelector('.chat-item.active');
          const badge = row.querySelector('.badge.text-bg-primary');
          return [getComputedStyle(badge).backgroundColor, getComputedStyle(row).backgroundColor];
        }"""
    )
    assert colours[0] != colours[1], colours  # not the row's own colour: it stays readable
    assert page.errors == []


async def test_a_new_person_is_offered_public_groups_and_a_search_says_when_nothing_matches(
    new_page, live
):
    bo = await person(live, "bo", "Bo")
    async with httpx.AsyncClient(base_url=live.url) as http:
        made = await http.post(
            "/api/chats", json={"name": "lobby", "is_public": True}, headers=bo.headers
        )
        assert made.status_code == 201
    ana = await person(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    nav = page.get_by_role("navigation", name="Chats")
    await expect(nav).to_contain_text("No chats yet")
    offered = nav.get_by_role("list", name="Public groups to join")
    await offered.get_by_role("button", name="Join lobby").click()
    await expect(page.get_by_role("main").get_by_role("heading", name="lobby")).to_be_visible()
    await expect(sidebar_chat(page, "lobby")).to_be_visible()

    await page.get_by_role("searchbox", name="Search chats, people and groups").fill("zzqx")
    await expect(nav.get_by_role("status")).to_have_text(
        "Nothing matches “zzqx”: no chat, person or public group."
    )
    assert page.errors == []


async def test_every_icon_button_has_a_tooltip_and_my_name_has_room(new_page, live):
    ana = await person(live, "ana", "Anastasia Kowalczyk")
    await group(live, ana, "Tools")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Tools")
    name = page.locator("#me-name")
    await expect(name).to_have_text("Anastasia Kowalczyk")
    fits = await name.evaluate("(node) => node.scrollWidth <= node.clientWidth")
    assert fits, "the sidebar header squeezes my name"
    untitled = await page.evaluate(
        """() => [...document.querySelectorAll('button')]
          .filter((b) => b.getClientRects().length && !b.textContent.trim())
          .filter((b) => !b.title || !b.getAttribute('aria-label'))
          .map((b) => b.id || b.className)"""
    )
    assert untitled == []
    more = page.get_by_role("button", name="More")
    await expect(more).to_have_attribute("title", "More")
    await more.click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.errors == []

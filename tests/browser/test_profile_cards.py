"""Clicking a person's name or avatar opens their card: display name, username, bio, whether
they are online, and "Message", which opens the direct chat with them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP


async def test_a_name_opens_the_card_and_message_opens_the_direct_chat(new_page, live):
    """Bo's card on Ana's page: his bio, presence (live) and his local time in Tokyo."""
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo Berg")
    async with httpx.AsyncClient(base_url=live.url) as http:
        done = await http.patch(
            "/api/users/me", json={"bio": "Sails on weekends."}, headers=bo.headers
        )
        assert done.status_code == 200
    chat_id = await group(live, ana, "crew", [bo])
    await say(live, bo, chat_id, "ahoy")
    # Bo is online, in Tokyo: his client keeps his time zone in his settings
    bo_page = await new_page(context_options={"timezone_id": "Asia/Tokyo"})
    shared = bo_page.expect_response(
        lambda r: r.url.endswith("/api/users/me") and r.request.method == "PATCH"
    )
    async with shared as answer:
        await sign_in(bo_page, bo.username)
    assert (await answer.value).ok
    page = await new_page(context_options={"timezone_id": "America/Sao_Paulo"})
    await sign_in(page, ana.username)
    await open_chat(page, "crew")
    log = page.get_by_role("log", name="Messages")
    await log.get_by_role("button", name="Profile of Bo Berg").first.click()

    card = page.get_by_role("dialog", name="Bo Berg")
    await expect(card).to_be_visible()
    await expect(card.locator("#card-username")).to_have_text(f"@{bo.username}")
    await expect(card.locator("#card-bio")).to_have_text("Sails on weekends.")
    await expect(card.locator("#card-status")).to_have_text("online")
    tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))
    times = {f"Local time: {at:%I:%M %p}" for at in (tokyo, tokyo + timedelta(minutes=1))}
    shown = re.compile("^(" + "|".join(map(re.escape, times)) + ")$")
    await expect(card.locator("#card-time")).to_have_text(shown)
    await card.get_by_role("button", name="Message").click()
    await expect(card).to_be_hidden()
    await expect(
        page.get_by_role("main").get_by_role("heading", name="Bo Berg", exact=True)
    ).to_be_visible()

    # the card follows presence: Bo leaves, the open card says so
    await page.get_by_role("main").get_by_role("button", name="Their profile").click()
    await expect(card).to_be_visible()
    await expect(card.locator("#card-status")).to_have_text("online")
    await bo_page.close()
    await expect(card.locator("#card-status")).to_have_text("offline")
    await page.keyboard.press("Escape")
    await expect(card).to_be_hidden()
    assert page.errors == []


async def test_an_avatar_opens_the_card_too(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "faces", [bo])
    await say(live, bo, chat_id, "hello")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "faces")
    theirs = page.get_by_role("log", name="Messages").locator(".message.theirs")
    await theirs.locator(".avatar-button").click()
    card = page.get_by_role("dialog", name="Bo")
    await expect(card.locator("#card-bio")).to_have_text("No bio yet.")
    await expect(card.get_by_role("button", name="Message")).to_be_visible()
    assert page.errors == []

"""Screenshots of one chat at desktop and phone sizes (375 px), in the light and the dark
theme, in English and Russian; they must differ where they should (themes, languages) and be
the size asked. Written to a temporary folder; with CHINWAG_SCREENSHOTS_TO_DOCS=1 into
docs/screenshots/ (the README shows those)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": (1200, 760), "phone": (375, 740)}
WELCOME = """**Welcome** to #design: this week's plan

| Day | Topic |
|---|---|
| Mon | colours |
| Tue | type scale |

> keep the sidebar calm
"""


@pytest.fixture
def shots_dir(tmp_path) -> Path:
    if os.environ.get("CHINWAG_SCREENSHOTS_TO_DOCS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


async def seed(live):
    ana = await person(live, "ana", "Ana Lima")
    bo = await person(live, "bo", "Bo Berg")
    cy = await person(live, "cy", "Cy Park")
    chat_id = await group(live, ana, "design", [bo, cy])
    await group(live, bo, "marketing", [ana])
    [plan] = await say(live, bo, chat_id, WELCOME)
    await say(live, cy, chat_id, "Looks good. The dark theme next?")
    await say(live, ana, chat_id, "Yes: `data-bs-theme` and our own palette", reply_to=plan["id"])
    await say(live, ana, chat_id, "```\n:root { --bs-primary: #4f46e5; }\n```")
    return ana, chat_id


async def shoot(new_page, who, chat_id, folder: Path, device: str, theme: str, lang: str):
    width, height = SIZES[device]
    options = {"color_scheme": theme, "locale": "ru-RU" if lang == "ru" else "en-US"}
    if device == "phone":
        options |= {"has_touch": True, "is_mobile": True}
    page = await new_page(width, height, context_options=options)
    await page.goto("/")
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await page.locator("#signin-login").fill(who.username)
    await page.locator("#signin-password").fill(PASSWORD)
    await page.locator("#form-signin button[type=submit]").click()
    await expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    chat = page.locator(f".chat-item[data-chat-id='{chat_id}']")
    await expect(chat.locator(".chat-time")).to_be_visible()
    await chat.click()
    log = page.locator("#messages")
    await expect(log.locator(".message[data-seq]:not(.system)")).to_have_count(4)
    await expect(log.locator(".message-text table")).to_be_visible()
    # the quote of a table shows its words, not its rule row
    await expect(log.locator(".reply-quote")).to_contain_text("Day Topic Mon colours")
    # who is online has arrived (the header counts them) before the picture is taken
    await expect(page.locator("#chat-subtitle")).to_contain_text("1")
    await page.locator("#composer-text").blur()
    path = folder / f"{device}-{theme}-{lang}.png"
    await page.screenshot(path=str(path))
    assert page.errors == []
    return path


def brightness(path: Path) -> float:
    with Image.open(path) as image:
        return ImageStat.Stat(image.convert("L")).mean[0]


async def test_screenshots_in_both_themes_languages_and_sizes(new_page, live, shots_dir):
    ana, chat_id = await seed(live)
    shots = {}
    for device in SIZES:
        for theme in ("light", "dark"):
            for lang in ("en", "ru"):
                shots[device, theme, lang] = await shoot(
                    new_page, ana, chat_id, shots_dir, device, theme, lang
                )
    for (device, theme, lang), path in shots.items():
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            assert image.size == SIZES[device], path.name
        if theme == "dark":
            light = shots[device, "light", lang]
            assert brightness(path) + 60 < brightness(light), path.name
        if lang == "ru":
            assert path.read_bytes() != shots[device, theme, "en"].read_bytes(), path.name

"""The client speaks the browser's language (English or Russian), with a switch in the account
dialog kept in settings: the page's words, the views' sentences, server errors, plurals and
dates all follow."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, open_chat
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP
RUSSIAN = {"locale": "ru-RU"}


async def sign_in_ru(page, login: str, password: str = PASSWORD) -> None:
    await page.goto("/")
    form = page.get_by_role("form", name="Войти")
    await form.get_by_label("Email или имя пользователя").fill(login)
    await form.get_by_label("Пароль").fill(password)
    await form.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("navigation", name="Чаты")).to_be_visible()


async def test_a_russian_browser_gets_russian_words_errors_and_plurals(new_page, live):
    ana, bo, cy = [await person(live, n, n.capitalize()) for n in ("ana", "bo", "cy")]
    chat_id = await group(live, ana, "планы", [bo, cy])
    await say(live, bo, chat_id, "привет")
    page = await new_page(context_options=RUSSIAN)
    await page.goto("/")
    await expect(page.locator("html")).to_have_attribute("lang", "ru")
    form = page.get_by_role("form", name="Войти")
    await form.get_by_label("Email или имя пользователя").fill(ana.username)
    await form.get_by_label("Пароль").fill("wrong password")
    await form.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Email или имя пользователя и пароль не подходят друг к другу."
    )

    await sign_in_ru(page, ana.username)
    await open_chat(page, "планы")
    subtitle = page.locator("#chat-subtitle")
    # the count of members is known at once; who is online only once presence has come
    await expect(subtitle).to_contain_text("3 участника")
    await expect(subtitle).to_contain_text(re.compile(r"в сети: \d"))
    await expect(page.get_by_role("textbox", name="Сообщение")).to_have_attribute(
        "placeholder", "Напишите сообщение…"
    )
    day = page.get_by_role("log", name="Сообщения").locator(".day-separator")
    await expect(day).to_have_text("Сегодня")
    # the server's system messages, recognised and said in Russian
    system = page.get_by_role("log", name="Сообщения").locator(".message.system")
    await expect(system.first).to_have_text(f"@{ana.username} создаёт группу")
    await expect(system.nth(1)).to_have_text(f"@{ana.username} добавляет @{bo.username}")
    await page.get_by_role("button", name="Поиск в этом чате").click()
    dialog = page.get_by_role("dialog", name="Поиск сообщений")
    await dialog.get_by_role("searchbox", name="Что найти").fill("нетакогослова")
    await expect(dialog.get_by_role("status")).to_have_text("Сообщений не найдено")
    assert page.errors == []


async def test_the_language_switch_is_kept_in_settings(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page(context_options=RUSSIAN)
    await sign_in_ru(page, ana.username)
    await page.get_by_role("button", name="Настройки аккаунта").click()
    dialog = page.get_by_role("dialog", name="Аккаунт")
    saved = page.expect_response(
        lambda r: r.url.endswith("/api/users/me") and r.request.method == "PATCH"
    )
    async with saved as answer:
        await dialog.get_by_label("Язык", exact=True).select_option("en")
    assert (await answer.value).ok
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("dialog", name="Account")).to_be_visible()
    await expect(
        page.get_by_role("dialog", name="Account").get_by_label("Language", exact=True)
    ).to_have_value("en")
    async with httpx.AsyncClient(base_url=live.url) as http:
        me = (await http.get("/api/users/me", headers=ana.headers)).json()
    assert me["settings"]["language"] == "en"

    # another Russian browser of mine: English, as I chose
    other = await new_page(context_options=RUSSIAN)
    await other.goto("/")
    form = other.get_by_role("form", name="Войти")
    await form.get_by_label("Email или имя пользователя").fill(ana.username)
    await form.get_by_label("Пароль").fill(PASSWORD)
    await form.get_by_role("button", name="Войти").click()
    await expect(other.locator("html")).to_have_attribute("lang", "en")
    await expect(other.get_by_role("navigation", name="Chats")).to_be_visible()
    await expect(
        other.get_by_role("searchbox", name="Search chats, people and groups")
    ).to_be_visible()
    assert page.errors == [] and other.errors == []


async def test_no_english_is_left_on_the_russian_page(new_page, live):
    """Every English sentence of the catalogue that Russian says otherwise is absent from the
    Russian page: its text, labels, tooltips and placeholders, in the open chat, the menu and
    the account dialog."""
    from tests.web.test_catalogues import JS, catalogue

    en, ru = catalogue(JS / "i18n" / "en.js"), catalogue(JS / "i18n" / "ru.js")
    english = {
        text
        for key, text in en.items()
        if "{" not in text and len(text) > 3 and " " in text and ru.get(key) != text
    }
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "чат", [bo])
    await say(live, bo, chat_id, "привет")
    page = await new_page(context_options=RUSSIAN)
    await sign_in_ru(page, ana.username)
    await open_chat(page, "чат")
    await expect(page.locator("#chat-subtitle")).to_contain_text(re.compile(r"в сети: \d"))
    await page.get_by_role("button", name="Ещё").click()
    await expect(page.get_by_role("button", name="Горячие клавиши")).to_be_visible()
    words = await page.evaluate(
        """() => [document.body.innerText, ...[...document.querySelectorAll(
            '[aria-label], [title], [placeholder]')].flatMap((node) => [
              node.getAttribute('aria-label'), node.title, node.getAttribute('placeholder')])]
          .filter(Boolean).join('\\n')"""
    )
    assert "Горячие клавиши" in words
    assert sorted(text for text in english if text in words) == []
    await page.keyboard.press("Escape")
    await page.get_by_role("button", name="Настройки аккаунта").click()
    await expect(page.locator("#devices li")).not_to_have_count(0)
    words = await page.locator("#account-dialog").inner_text()
    assert sorted(text for text in english if text in words) == []
    assert page.errors == []


async def test_no_english_is_left_on_the_russian_admin_page(new_page, live):
    """The admin page in Russian, every tab filled, says nothing in English, and the audit
    log's sentences are Russian."""
    from tests.browser.seeding import site_admin
    from tests.web.test_catalogues import JS, catalogue

    en, ru = catalogue(JS / "i18n" / "en.js"), catalogue(JS / "i18n" / "ru.js")
    english = {
        text
        for key, text in en.items()
        if "{" not in text and len(text) > 3 and " " in text and ru.get(key) != text
    }
    ana = await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    await group(live, ana, "чат", [bo])
    page = await new_page(context_options=RUSSIAN)
    await sign_in_ru(page, ana.username)
    await page.get_by_role("button", name="Ещё").click()
    await page.get_by_role("button", name="Администрирование").click()
    region = page.get_by_role("region", name="Администрирование")
    row = region.locator("#admin-people-rows tr", has_text=f"@{bo.username}")
    await row.get_by_role("button", name="Сделать Bo администратором сайта").click()
    await expect(row.locator("td").nth(3)).to_have_text("Да")
    await page.get_by_role("tab", name="Приглашения").click()
    await page.get_by_role("button", name="Создать приглашение").click()
    await expect(page.locator("#invite-created")).to_be_visible()
    await expect(page.locator("#invite-rows .invitation-state")).to_have_text(["Действует"])
    await page.get_by_role("tab", name="Журнал действий").click()
    await expect(page.locator("#audit-list .audit-text")).to_have_text(
        [
            f"@{ana.username}: создано приглашение",
            f"@{ana.username}: @{bo.username} назначен(а) администратором сайта",
        ]
    )
    words = await page.evaluate(
        """() => [document.getElementById('admin-page').innerText,
            ...[...document.querySelectorAll('#admin-page [aria-label], #admin-page [title],'
              + ' #admin-page [placeholder]')].flatMap((node) => [
              node.getAttribute('aria-label'), node.title, node.getAttribute('placeholder')])]
          .filter(Boolean).join('\\n')"""
    )
    for tab in ("Люди", "Пространство", "Жалобы"):
        await page.get_by_role("tab", name=tab).click()
        words += "\n" + await page.locator("#admin-page").inner_text()
    assert "Журнал действий" in words
    assert sorted(text for text in english if text in words) == []
    assert page.errors == []

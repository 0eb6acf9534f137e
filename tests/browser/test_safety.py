"""What people type is shown as text (never run), the pages carry a strict CSP, and the
client passes axe-core without serious or critical violations."""

from __future__ import annotations

import re

import httpx
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    PASSWORD,
    add_member,
    create_group,
    register,
    screenshot,
    send,
    unique,
)

pytestmark = MODULE_LOOP

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"


async def assert_accessible(page, where: str) -> None:
    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in bad
    )


async def test_security_headers(live):
    async with httpx.AsyncClient(base_url=live.url) as http:
        page = await http.get("/")
        script = await http.get("/static/app/js/main.js")
        bootstrap = await http.get("/static/vendor/bootstrap/css/bootstrap.min.css")
        icons = await http.get("/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")
        docs = await http.get("/docs")
    for response in (page, script, bootstrap, icons):
        assert response.status_code == 200, response.url
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
        # files behind the bearer token are shown from blob: URLs, nothing from other sites
        assert "img-src 'self' data: blob:;" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    # nothing inline for the CSP to refuse: no script bodies, handlers or style attributes
    assert re.findall(r"<script[^>]*>([^<]*)</script>", page.text) == ["", ""]
    assert not re.search(r"\son[a-z]+=|\sstyle=", page.text)
    # Swagger UI is served by chinwag without inline scripts: /docs keeps the page policy
    # (tests/browser/test_api_docs.py runs it with the network blocked)
    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == page.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"


async def test_typed_html_shows_as_text_and_never_runs(new_page):
    ana_page, bo_page = await new_page(), await new_page()
    await register(ana_page, unique("ana"), IMG)
    bo = await register(bo_page, unique("bo"), SCRIPT)
    await create_group(ana_page, SCRIPT)
    await add_member(ana_page, bo, SCRIPT)
    await assert_accessible(ana_page, "group panel")
    await ana_page.get_by_role("dialog").get_by_role("button", name="Close").click()
    await send(ana_page, IMG)
    await send(ana_page, SCRIPT)

    await bo_page.get_by_role("navigation").get_by_role("button", name=SCRIPT).click()
    log = bo_page.get_by_role("log", name="Messages")
    await expect(log.locator(".message-text", has_text=IMG)).to_have_count(1)
    await expect(log.locator(".message-text", has_text=SCRIPT)).to_have_count(1)
    await expect(log.locator(".message-author").first).to_have_text(IMG)
    await expect(bo_page.locator("#chat-title")).to_have_text(SCRIPT)
    await expect(bo_page.locator("#me-name")).to_have_text(SCRIPT)
    await send(bo_page, "seen")
    await expect(ana_page.get_by_role("log").locator(".message-author")).to_have_text(SCRIPT)
    for page in (ana_page, bo_page):
        assert await page.locator("img[src=x], #messages script, nav script").count() == 0
        assert page.dialogs == []
        assert page.errors == []
    await assert_accessible(bo_page, "open chat")


async def test_sign_in_page_is_accessible_and_explains_errors(new_page):
    page = await new_page()
    await page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    await expect(form.get_by_label("Email or username")).to_be_focused()
    await assert_accessible(page, "sign-in page")
    await screenshot(page, "desktop-sign-in")
    await form.get_by_label("Email or username").fill("nobody")
    await form.get_by_label("Password").fill("wrong password")
    await form.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "That email or username and password don't match."
    )
    for _ in range(5):  # throttled after five failures: the wait is spelled out
        await form.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Try again in \d+ minute"))


RICH = """**Plan** for _today_, with `code` and a [link](https://example.com)

| who | what |
|---|---|
| ana | colours |

> a quote

```
block of code
```
"""


async def test_both_themes_and_both_languages_are_accessible(new_page, live):
    """axe-clean in the dark theme as in the light one, in English and Russian: the sign-in
    page, a chat with rich messages (mine and theirs), the account dialog, a profile card,
    the shortcut list and the quick switcher."""
    from tests.browser.seeding import group, person, say

    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Look", [bo])
    [plan] = await say(live, bo, chat_id, RICH)
    await say(live, ana, chat_id, RICH, reply_to=plan["id"])
    for scheme, locale in (("dark", "en-US"), ("dark", "ru-RU"), ("light", "ru-RU")):
        page = await new_page(context_options={"color_scheme": scheme, "locale": locale})
        await page.goto("/")
        await expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        await assert_accessible(page, f"{scheme} {locale} sign-in page")
        await page.locator("#signin-login").fill(ana.username)
        await page.locator("#signin-password").fill(PASSWORD)
        await page.locator("#form-signin button[type=submit]").click()
        await page.locator(f".chat-item[data-chat-id='{chat_id}']").click()
        log = page.locator("#messages")
        await expect(log.locator(".message.mine .message-text table")).to_be_visible()
        await expect(log.locator(".message.theirs .message-text table")).to_be_visible()
        await assert_accessible(page, f"{scheme} {locale} open chat")
        await page.locator("#me-button").click()
        await expect(page.locator("#account-dialog")).to_be_visible()
        await expect(page.locator("#devices li")).not_to_have_count(0)
        await assert_accessible(page, f"{scheme} {locale} account dialog")
        await page.keyboard.press("Escape")
        await expect(page.locator("#account-dialog")).to_be_hidden()
        await log.locator(".message.theirs .avatar-button").click()
        await expect(page.locator("#card-bio")).to_be_visible()
        await assert_accessible(page, f"{scheme} {locale} profile card")
        await page.keyboard.press("Escape")
        await expect(page.locator("#card-dialog")).to_be_hidden()
        await page.keyboard.press("Control+k")
        await expect(page.locator("#switcher-results .switch-option")).to_have_count(1)
        await assert_accessible(page, f"{scheme} {locale} quick switcher")
        assert page.errors == []


async def test_the_admin_page_is_accessible_in_both_themes(new_page, live):
    """Every tab of the admin page, filled (people, an invitation with its link shown once,
    the workspace, a report, the audit log), axe-clean in the light and the dark theme."""
    from tests.browser.seeding import group, person, say, site_admin

    ana = await site_admin(live, "ana", "Ana")
    bo = await person(live, "bo", "Bo")
    welcome = await group(live, ana, "Welcome", [bo])
    [said] = await say(live, bo, welcome, "report me")
    async with httpx.AsyncClient(base_url=live.url) as http:
        reported = await http.post(
            f"/api/messages/{said['id']}/report", json={"reason": "spam"}, headers=ana.headers
        )
        assert reported.status_code == 201, reported.text
    for scheme in ("light", "dark"):
        page = await new_page(context_options={"color_scheme": scheme})
        await page.goto("/")
        await page.locator("#signin-login").fill(ana.username)
        await page.locator("#signin-password").fill(PASSWORD)
        await page.locator("#form-signin button[type=submit]").click()
        await expect(page.locator("#admin-button")).to_be_attached()
        await page.goto("/#/admin")
        await expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        await expect(page.locator("#admin-people-rows tr")).to_have_count(2)
        await assert_accessible(page, f"{scheme} admin page, people")
        await page.get_by_role("tab", name="Invitations").click()
        await page.get_by_label("Welcome").check()
        await page.get_by_role("button", name="Create invitation").click()
        await expect(page.locator("#invite-created")).to_be_visible()
        await expect(page.locator("#invite-rows tr[data-invitation-id]")).not_to_have_count(0)
        await assert_accessible(page, f"{scheme} admin page, invitations")
        await page.get_by_role("tab", name="Workspace").click()
        await expect(page.get_by_label("Workspace name")).to_have_value("chinwag")
        await assert_accessible(page, f"{scheme} admin page, workspace")
        await page.get_by_role("tab", name="Reports").click()
        await expect(page.locator("#reports-list li[data-report-id]")).to_have_count(1)
        await assert_accessible(page, f"{scheme} admin page, reports")
        await page.get_by_role("tab", name="Audit log").click()
        await expect(page.locator("#audit-list .audit-text")).not_to_have_count(0)
        await assert_accessible(page, f"{scheme} admin page, audit log")
        assert page.errors == []

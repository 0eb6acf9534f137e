"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server on
SQLite. One browser per module (they run in CI on two cores); a fresh server per test."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
import pytest_asyncio

from tests.conftest import IN_CI
from tests.realtime.conftest import start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000
INCOGNITO_PUSH = "Chrome currently does not support the Push API in incognito mode"

# Every test in this folder shares its module's event loop with the module's browser.
MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

_names = itertools.count(1)


def need_chromium() -> None:
    """Skip where Chromium isn't installed; in CI that is a failure."""
    if os.path.exists(CHROMIUM):
        return
    if IN_CI:
        pytest.fail(f"Chromium is required in CI ({CHROMIUM}: apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """SQLite only: the browser tests are about the client, not the database."""
    path = tmp_path / "chinwag.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser():
    need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def live(settings):
    server, task, handle = await start_server(settings)
    yield handle
    await stop_server(server, task)


@pytest_asyncio.fixture(loop_scope="module")
async def open_page(browser):
    """open_page(base_url, width=1200, height=800, permissions=(), init_script=None,
    context_options=None) -> a page in a context of its own (one person), with every
    JavaScript dialog recorded in page.dialogs (and dismissed) and page errors (and CSP
    refusals) in page.errors. `context_options` go to new_context (has_touch=True: a phone)."""
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    async def make(
        base_url: str,
        width: int = 1200,
        height: int = 800,
        *,
        permissions: tuple[str, ...] = (),
        init_script: str | None = None,
        context_options: dict | None = None,
    ):
        context = await browser.new_context(
            **(context_options or {}),
            base_url=base_url,
            viewport={"width": width, "height": height},
            permissions=list(permissions),
            # Bootstrap then skips its fades: dialogs open and close at once
            reduced_motion="reduce",
        )
        if init_script:
            await context.add_init_script(init_script)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        page.dialogs = []
        page.errors = []

        async def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        # console errors include CSP refusals ("Refused to ..."); failed loads are the
        # expected 401 of the first refresh without a cookie, asserted by status elsewhere;
        # Chromium's note on Push in incognito is about these contexts (new_context() is
        # one), where the client's subscribe is refused and it carries on without push
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith(("Failed to load resource", INCOGNITO_PUSH))
                and page.errors.append(m.text)
            ),
        )
        return page

    yield make
    for context in contexts:
        await context.close()


@pytest_asyncio.fixture(loop_scope="module")
async def new_page(open_page, live):
    """new_page(width=1200, height=800, **options) -> a page on the test's server."""

    async def make(width: int = 1200, height: int = 800, **options):
        return await open_page(live.url, width, height, **options)

    return make


def unique(name: str) -> str:
    return f"{name}{next(_names)}"


async def register(page, name: str, display_name: str | None = None) -> str:
    """Register `name` through the form; lands signed in on the empty chat list."""
    from playwright.async_api import expect

    await page.goto("/#/register")
    form = page.get_by_role("form", name="Create an account")
    await form.get_by_label("Email").fill(f"{name}@example.com")
    await form.get_by_label("Username").fill(name)
    await form.get_by_label("Display name").fill(display_name or name.capitalize())
    await form.get_by_label("Password").fill(PASSWORD)
    await form.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()
    await expect(page.locator("#banner")).to_be_hidden()
    return name


async def create_group(page, name: str, *, public: bool = False):
    from playwright.async_api import expect

    await page.get_by_role("button", name="New group").click()
    dialog = page.get_by_role("dialog", name="New group")
    await dialog.get_by_label("Name").fill(name)
    if public:
        await dialog.get_by_label(re.compile("Public")).check()
    await dialog.get_by_role("button", name="Create group").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#chat-title")).to_have_text(name)


async def add_member(page, username: str, display_name: str):
    from playwright.async_api import expect

    await page.get_by_role("button", name="Group settings").click()
    panel = page.get_by_role("dialog")
    await panel.get_by_label("Add people").fill(username)
    await panel.get_by_role("button", name=f"Add {display_name}").click()
    await expect(panel.locator("#group-members")).to_contain_text(display_name)
    return panel


async def menu(page, name: str) -> None:
    """Choose `name` in the sidebar's overflow menu (More)."""
    await page.get_by_role("navigation").get_by_role("button", name="More").click()
    await page.get_by_role("navigation").get_by_role("button", name=name, exact=True).click()


async def send(page, text: str):
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")


async def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


async def sign_in(page, login: str, password: str = PASSWORD) -> None:
    """Sign in through the form; lands on the chat list."""
    from playwright.async_api import expect

    await page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    await form.get_by_label("Email or username").fill(login)
    await form.get_by_label("Password").fill(password)
    await form.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("navigation", name="Chats")).to_be_visible()


def sidebar_chat(page, name: str):
    """The sidebar's button for the chat called `name`."""
    return page.get_by_role("navigation").locator(
        ".chat-item", has=page.locator(".chat-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


async def open_chat(page, name: str) -> None:
    """Open the chat from the sidebar and wait until it is the open one. Right after sign-in
    the first render of the chat list can overtake a click, so it is clicked again then."""
    from playwright.async_api import expect

    heading = page.get_by_role("main").get_by_role("heading", name=name, exact=True)
    for _ in range(2):
        await sidebar_chat(page, name).click()
        try:
            await expect(heading).to_be_visible(timeout=3000)
            return
        except AssertionError:
            continue
    await sidebar_chat(page, name).click()
    await expect(heading).to_be_visible()


async def rest_login(http, login: str, password: str = PASSWORD) -> dict:
    """Authorization headers for `login`, through the REST API (for fast seeding)."""
    response = await http.post("/api/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}

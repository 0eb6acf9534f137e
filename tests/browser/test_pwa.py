"""The installable app: Chromium finds the manifest and service worker good enough to install,
the app shell and the last loaded chats are there offline (read-only, the composer disabled
with a note), a push reaches the service worker as a notification that names the chat and
opens it, and the chat header's mute and the account dialog's mail switch change the
settings behind push and email."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MODULE_LOOP, menu, open_chat, sign_in
from tests.browser.seeding import group, person, say

pytestmark = MODULE_LOOP

# This origin's worker is active and controls the page (a push or an offline load needs it).
WORKER_IN_CONTROL = """async () => {
  const registration = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  }
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((resolve) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve();
    }));
  }
  return worker.state;
}"""


async def signed_in_page(new_page, live, who, **options):
    page = await new_page(**options)
    await sign_in(page, who.username)
    assert await page.evaluate(WORKER_IN_CONTROL) == "activated"
    return page


async def test_chromium_reports_the_app_installable(browser, live, tmp_path):
    # A context of new_context() is incognito, where nothing is installable: a profile of
    # this test's own instead.
    context = await browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        base_url=live.url,
    )
    try:
        await _check_installable(context)
    finally:
        await context.close()


async def _check_installable(context) -> None:
    page = context.pages[0] if context.pages else await context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto("/")
    await expect(page.locator("body[data-ready=true]")).to_be_attached()
    assert await page.evaluate(WORKER_IN_CONTROL) == "activated"
    cdp = await page.context.new_cdp_session(page)
    manifest = await cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert json.loads(manifest["data"])["theme_color"] == "#2563eb"
    installability = await cdp.send("Page.getInstallabilityErrors")
    assert installability["installabilityErrors"] == []
    assert errors == []


async def test_offline_the_last_loaded_chats_are_shown_read_only(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Trips", [bo])
    await say(live, bo, chat_id, "the train leaves at nine", "bring a coat")
    page = await signed_in_page(new_page, live, ana)
    await open_chat(page, "Trips")
    await expect(page.locator("#messages")).to_contain_text("bring a coat")
    await expect(page.locator("body[data-offline-saved]")).to_be_attached()

    await page.context.set_offline(True)
    await page.reload()
    await expect(page.locator("body[data-offline=true]")).to_be_attached()
    await open_chat(page, "Trips")
    messages = page.locator("#messages")
    await expect(messages).to_contain_text("the train leaves at nine")
    await expect(messages).to_contain_text("bring a coat")
    await expect(page.get_by_role("textbox", name="Message")).to_be_disabled()
    await expect(page.locator("#offline-note")).to_contain_text("offline")

    await page.context.set_offline(False)  # back: the page starts again for real
    await expect(page.locator("body[data-offline=true]")).to_have_count(0)
    await expect(page.locator("body[data-ready=true]")).to_be_attached()
    await open_chat(page, "Trips")
    await expect(page.get_by_role("textbox", name="Message")).to_be_enabled()


async def test_signing_out_leaves_no_offline_copy(new_page, live):
    ana = await person(live, "ana", "Ana")
    await group(live, ana, "Private plans")
    page = await signed_in_page(new_page, live, ana)
    await expect(page.locator("body[data-offline-saved]")).to_be_attached()
    await menu(page, "Sign out")
    await expect(page.get_by_role("form", name="Sign in")).to_be_visible()
    await page.context.set_offline(True)
    await page.reload()
    await expect(page.get_by_role("form", name="Sign in")).to_be_visible()
    await expect(page.get_by_text("Private plans")).to_have_count(0)
    await page.context.set_offline(False)


@pytest.fixture(scope="module")
def push_service():
    from tests.pushservice import run_push_service

    yield from run_push_service()


@pytest.fixture
def settings_overrides() -> dict:
    return {"push_allow_http": True}  # the local push service is plain http


async def server_push(live, push_service, sender, recipient, chat_id: int, text: str) -> str:
    """What the server pushes to `recipient` (away) for `text`, as the push service received
    and decrypted it."""
    async with httpx.AsyncClient(base_url=live.url) as http:
        key = (await http.get("/api/push/key", headers=recipient.headers)).json()["public_key"]
        device = push_service.subscribe(key)
        body = {"endpoint": device["endpoint"], "keys": device["keys"]}
        response = await http.post("/api/push/subscriptions", json=body, headers=recipient.headers)
        assert response.status_code == 201, response.text
    await say(live, sender, chat_id, text)
    await live.ctx.notifier.drain()
    [payload] = push_service.received(device["clientHash"])
    return payload


async def test_a_push_shows_a_notification_that_opens_the_chat(new_page, live, push_service):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Launch", [bo])
    # Bo is away (no page yet): the server pushes; the stand-in push service decrypts it
    payload = await server_push(
        live, push_service, ana, bo, chat_id, f"@{bo.username} the launch moved to Friday"
    )
    # permission granted in this context only, before the page asks
    page = await signed_in_page(new_page, live, bo, permissions=("notifications",))
    await page.goto("/#/")  # nothing open: the notification's chat is opened by the click
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("ServiceWorker.enable")
    registration_id = None
    while registration_id is None:  # the registration of this origin's worker, as CDP names it
        event = await _next_event(cdp, "ServiceWorker.workerVersionUpdated")
        for version in event["versions"]:
            if version["scriptURL"] == f"{live.url}/sw.js" and version["status"] == "activated":
                registration_id = version["registrationId"]
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live.url, "registrationId": registration_id, "data": payload},
    )
    shown = await page.wait_for_function(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          const [note] = await registration.getNotifications();
          return note && { title: note.title, body: note.body, data: note.data };
        }""",
        polling=100,
    )
    note = await shown.json_value()
    assert note["title"] == "Ana · Launch"
    assert note["body"] == f"@{bo.username} the launch moved to Friday"
    assert note["data"] == {"chat_id": chat_id, "url": f"/#/chat/{chat_id}"}
    # A click: no browser API clicks a notification, so the worker gets the event a click
    # would give it (its own NotificationEvent, on the notification it showed) and asks
    # this tab, which has no chat open, to open the notification's chat.
    heading = page.get_by_role("main").get_by_role("heading", name="Launch")
    await expect(heading).to_be_hidden()
    [worker] = [w for w in page.context.service_workers if w.url == f"{live.url}/sw.js"]
    await worker.evaluate(
        """async () => {
          const [notification] = await self.registration.getNotifications();
          self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        }"""
    )
    await expect(heading).to_be_visible()
    assert (
        await worker.evaluate("async () => (await self.registration.getNotifications()).length")
        == 0
    )  # the click closed it
    assert page.errors == []


async def _next_event(cdp, name: str) -> dict:
    import asyncio

    arrived = asyncio.get_running_loop().create_future()

    def on_event(params):
        if not arrived.done():
            arrived.set_result(params)

    cdp.once(name, on_event)
    return await asyncio.wait_for(arrived, 10)


async def test_the_bell_mutes_the_chat_and_the_switch_stops_the_mail(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Noisy", [bo])
    page = await new_page()
    await sign_in(page, bo.username)
    await open_chat(page, "Noisy")
    bell = page.get_by_role("button", name="Mute this chat")
    await bell.click()
    unmute = page.get_by_role("button", name="Unmute this chat")
    await expect(unmute).to_have_attribute("aria-pressed", "true")
    await expect(unmute).to_be_focused()
    async with httpx.AsyncClient(base_url=live.url) as http:
        chats = (await http.get("/api/chats", headers=bo.headers)).json()
        assert [c["muted"] for c in chats if c["id"] == chat_id] == [True]

    await page.get_by_role("button", name="Account settings").click()
    switch = page.get_by_role("switch", name="Email me direct messages and mentions I miss")
    await expect(switch).to_be_checked()
    await switch.uncheck()
    async with httpx.AsyncClient(base_url=live.url) as http:
        for _ in range(50):  # the PATCH is in flight: poll its effect
            me = (await http.get("/api/users/me", headers=bo.headers)).json()
            if me["email_missed_messages"] is False:
                break
            await page.wait_for_timeout(100)
        assert me["email_missed_messages"] is False
    await page.reload()
    await page.get_by_role("button", name="Account settings").click()
    await expect(switch).not_to_be_checked()

"""Files in Chromium: an image chosen with the paperclip uploads with a progress bar, shows as
a preview for the other person and opens full size; a document downloads from its chip;
drag and drop and paste attach too; an avatar set in the account dialog shows everywhere."""

from __future__ import annotations

import base64
import re

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, open_chat, screenshot, send, sidebar_chat, sign_in
from tests.browser.seeding import group, landscape, person, png, say
from tests.browser.test_safety import assert_accessible

pytestmark = MODULE_LOOP

# A File made in the page from base64 bytes, in a DataTransfer (what a drop or a paste holds).
DATA_TRANSFER = """([name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  return transfer;
}"""


def log(page):
    return page.get_by_role("log", name="Messages")


async def natural_width(locator) -> int:
    return await locator.evaluate("(img) => img.complete ? img.naturalWidth : 0")


async def loaded(locator) -> None:
    """Wait until an <img> has decoded pixels (a blob: URL fetched with the token)."""
    await expect(locator).to_have_attribute("src", re.compile("^blob:"))
    await locator.evaluate("(img) => img.decode()")
    assert await natural_width(locator) > 0


async def two_in_a_group(live, new_page, name: str):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, name, [bo])
    ana_page, bo_page = await new_page(), await new_page()
    await sign_in(ana_page, ana.username)
    await sign_in(bo_page, bo.username)
    await open_chat(ana_page, name)
    await open_chat(bo_page, name)
    return ana, bo, chat_id, ana_page, bo_page


async def slow_uploads(page) -> None:
    """Throttle the page's network so that an upload takes a few seconds."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256_000},
    )


async def test_image_uploads_with_progress_previews_and_opens_full_size(new_page, live):
    ana, bo, chat_id, ana_page, bo_page = await two_in_a_group(live, new_page, "Pictures")
    await slow_uploads(ana_page)
    picture = png(600, 400, noise=True)
    assert len(picture) > 500_000  # big enough for the throttled upload to take a while
    await ana_page.locator("#file-input").set_input_files(
        {"name": "holiday.png", "mimeType": "image/png", "buffer": picture}
    )
    chip = ana_page.get_by_role("list", name="Files to send").get_by_role("listitem")
    await expect(chip).to_contain_text("holiday.png")
    progress = chip.get_by_role("progressbar", name="Uploading holiday.png")
    await expect(progress).to_be_visible()
    await expect(ana_page.get_by_role("button", name="Send")).to_be_disabled()
    await ana_page.wait_for_function(
        """() => {
          const bar = document.querySelector('[aria-label="Uploading holiday.png"]');
          return !bar || Number(bar.getAttribute('aria-valuenow')) > 0;
        }"""
    )
    await expect(progress).to_have_count(0, timeout=30_000)
    await expect(chip).to_contain_text("uploaded")
    await expect(chip.locator("img.upload-preview")).to_have_attribute("src", re.compile("^blob:"))
    await expect(ana_page.get_by_role("button", name="Send")).to_be_enabled()
    await send(ana_page, "our **view**")
    await expect(ana_page.get_by_role("list", name="Files to send")).to_be_hidden()

    theirs = log(bo_page).locator(".message", has_text="our view")
    thumb = theirs.get_by_role("button", name="Open holiday.png full size").locator("img")
    await loaded(thumb)
    assert await thumb.evaluate("(img) => img.naturalWidth") == 400  # the server's thumbnail
    assert await thumb.get_attribute("width") == "240"
    await theirs.get_by_role("button", name="Open holiday.png full size").click()
    dialog = bo_page.get_by_role("dialog", name="holiday.png")
    await expect(dialog).to_be_visible()
    full = dialog.locator("#image-full")
    await loaded(full)
    assert await full.evaluate("(img) => img.naturalWidth") == 600
    await assert_accessible(bo_page, "image dialog")
    async with bo_page.expect_download() as waiting:
        await dialog.get_by_role("button", name="Download").click()
    assert (await waiting.value).suggested_filename == "holiday.png"
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_be_hidden()
    await expect(theirs.get_by_role("button", name="Open holiday.png full size")).to_be_focused()
    await expect(bo_page.locator("#image-full")).not_to_have_attribute("src", re.compile("."))
    # a new message re-renders the list: the loaded preview stays the same element
    marker = await thumb.evaluate("(img) => { img.dataset.kept = 'yes'; return img.src; }")
    await send(ana_page, "one more")
    await expect(log(bo_page)).to_contain_text("one more")
    assert await thumb.get_attribute("data-kept") == "yes"
    assert await thumb.get_attribute("src") == marker
    assert ana_page.errors == [] and bo_page.errors == []


async def test_document_chip_downloads_and_size_errors_show(new_page, live):
    ana, bo, chat_id, ana_page, bo_page = await two_in_a_group(live, new_page, "Docs")
    content = b"minutes of the meeting\n" * 100
    await ana_page.locator("#file-input").set_input_files(
        {"name": "minutes.txt", "mimeType": "text/plain", "buffer": content}
    )
    chip = ana_page.get_by_role("list", name="Files to send").get_by_role("listitem")
    await expect(chip).to_contain_text("uploaded")
    await expect(chip).to_contain_text("2.2 KB")
    # a file without text is a message too
    await ana_page.get_by_role("button", name="Send").click()

    download_chip = log(bo_page).get_by_role("button", name="Download minutes.txt (2.2 KB)")
    await expect(download_chip).to_be_visible()
    async with bo_page.expect_download() as waiting:
        await download_chip.click()
    download = await waiting.value
    assert download.suggested_filename == "minutes.txt"
    assert (await download.path()).read_bytes() == content
    await expect(sidebar_chat(bo_page, "Docs")).to_contain_text("Ana: 1 file")

    # removing a chip before sending drops it
    await ana_page.locator("#file-input").set_input_files(
        [
            {"name": "a.txt", "mimeType": "text/plain", "buffer": b"a"},
            {"name": "b.txt", "mimeType": "text/plain", "buffer": b"b"},
        ]
    )
    files = ana_page.get_by_role("list", name="Files to send")
    await expect(files.get_by_role("listitem")).to_have_count(2)
    await files.get_by_role("button", name="Remove a.txt").click()
    await expect(files.get_by_role("listitem")).to_have_count(1)
    await expect(files.get_by_role("listitem").filter(has_text="b.txt")).to_contain_text("uploaded")
    await send(ana_page, "only b")
    mine = log(ana_page).locator(".message.mine", has_text="only b")
    await expect(mine.locator(".attachment-file")).to_have_count(1)
    await expect(mine.locator(".attachment-file")).to_contain_text("b.txt")
    assert ana_page.errors == [] and bo_page.errors == []


async def test_too_large_upload_is_explained(new_page, live, settings, tmp_path):
    page = await new_page()
    ana = await person(live, "ana", "Ana")
    await group(live, ana, "Big")
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Big").click()
    big = tmp_path / "huge.bin"  # from disk: Chromium reads it, nothing crosses the protocol
    with big.open("wb") as out:
        out.truncate(settings.upload_max_bytes + 1)
    await page.locator("#file-input").set_input_files(big)
    chip = page.get_by_role("list", name="Files to send").get_by_role("listitem")
    await expect(chip.locator(".upload-error")).to_contain_text(re.compile("large", re.I))
    await chip.get_by_role("button", name="Remove huge.bin").click()
    await expect(page.get_by_role("list", name="Files to send")).to_be_hidden()


async def test_drop_and_paste_attach_files(new_page, live):
    ana, bo, chat_id, ana_page, bo_page = await two_in_a_group(live, new_page, "Dropbox")
    dropped = await ana_page.evaluate_handle(
        DATA_TRANSFER, ["dropped.png", "image/png", base64.b64encode(png(64, 48)).decode()]
    )
    zone = ana_page.locator("#chat-open")
    await zone.dispatch_event("dragover", {"dataTransfer": dropped})
    await expect(zone).to_have_class(re.compile("dropping"))
    await zone.dispatch_event("drop", {"dataTransfer": dropped})
    await expect(zone).not_to_have_class(re.compile("dropping"))
    files = ana_page.get_by_role("list", name="Files to send")
    await expect(files.get_by_role("listitem").filter(has_text="dropped.png")).to_contain_text(
        "uploaded"
    )

    pasted = base64.b64encode(png(32, 32, (200, 30, 30))).decode()
    await ana_page.get_by_role("textbox", name="Message").evaluate(
        """(box, [b64]) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
          box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true,
                                                          cancelable: true }));
        }""",
        [pasted],
    )
    await expect(files.get_by_role("listitem")).to_have_count(2)
    await expect(files.get_by_role("listitem").filter(has_text="image.png")).to_contain_text(
        "uploaded"
    )
    await send(ana_page, "dropped and pasted")
    theirs = log(bo_page).locator(".message", has_text="dropped and pasted")
    await loaded(theirs.get_by_role("button", name="Open dropped.png full size").locator("img"))
    await loaded(theirs.get_by_role("button", name="Open image.png full size").locator("img"))
    assert ana_page.errors == [] and bo_page.errors == []


async def test_avatar_set_in_the_account_dialog_shows_everywhere(new_page, live):
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, bo, "Faces", [ana])
    ana_page = await new_page()
    await sign_in(ana_page, ana.username)
    await expect(ana_page.locator("#me-avatar .avatar")).to_have_text("AN")

    await ana_page.get_by_role("button", name="Account settings").click()
    dialog = ana_page.get_by_role("dialog", name="Account")
    await dialog.get_by_label("Choose a picture…").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png(300, 300, (250, 180, 20))}
    )
    await expect(dialog.get_by_role("status")).to_have_text("Picture saved.")
    await loaded(dialog.locator("#avatar-preview img"))
    await expect(dialog.get_by_role("button", name="Remove picture")).to_be_visible()
    await loaded(ana_page.locator("#me-avatar img"))
    await assert_accessible(ana_page, "account dialog")
    await dialog.get_by_role("button", name="Close").click()

    # Bo sees it beside Ana's messages and on their direct chat
    await say(live, ana, chat_id, "new picture, who dis")
    async with __import__("httpx").AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/chats/direct", json={"user_id": bo.id}, headers=ana.headers
        )
        assert response.status_code in (200, 201), response.text
    bo_page = await new_page()
    await sign_in(bo_page, bo.username)
    await loaded(sidebar_chat(bo_page, "Ana").locator(".avatar img"))
    await sidebar_chat(bo_page, "Faces").click()
    message = log(bo_page).locator(".message.theirs", has_text="who dis")
    await loaded(message.locator(".avatar img"))

    # removing it brings the initials back
    await ana_page.get_by_role("button", name="Account settings").click()
    await dialog.get_by_role("button", name="Remove picture").click()
    await expect(dialog.get_by_role("status")).to_have_text("Picture removed.")
    await expect(ana_page.locator("#me-avatar .avatar")).to_have_text("AN")
    await expect(ana_page.locator("#me-avatar img")).to_have_count(0)
    assert ana_page.errors == [] and bo_page.errors == []


async def test_screenshot_rich_messages(new_page, live):
    """The README's picture: markdown, a reply, reactions and an image, on a desktop."""
    ana, bo = await person(live, "ana", "Ana"), await person(live, "bo", "Bo")
    chat_id = await group(live, ana, "Launch", [bo])
    [plan] = await say(live, bo, chat_id, "Plan for **Friday**:\n\n1. ship `v2`\n2. celebrate")
    await say(live, ana, chat_id, "Agreed, I'll tag the release 🚀", reply_to=plan["id"])
    await say(live, bo, chat_id, f"Thanks @{ana.username}! ~~Thursday~~ Friday it is.")
    async with __import__("httpx").AsyncClient(base_url=live.url) as http:
        for who, emoji in ((ana, "🎉"), (bo, "🎉"), (ana, "👍")):
            response = await http.put(
                f"/api/messages/{plan['id']}/reactions/{emoji}", headers=who.headers
            )
            assert response.status_code == 204, response.text
    page = await new_page(1200, 760)
    await sign_in(page, ana.username)
    await sidebar_chat(page, "Launch").click()
    await expect(log(page).locator(".reaction-chip")).to_have_count(2)
    await page.locator("#file-input").set_input_files(
        {"name": "offsite.png", "mimeType": "image/png", "buffer": landscape()}
    )
    await expect(page.get_by_role("list", name="Files to send")).to_contain_text("uploaded")
    await send(page, "Offsite photo, and for Friday:\n\n```\n$ git tag v2 && git push --tags\n```")
    await loaded(log(page).locator(".attachment-thumb"))
    await page.mouse.move(0, 0)
    await screenshot(page, "desktop-rich-messages")

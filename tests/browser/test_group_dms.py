"""A group direct message from the web client: the new-direct-message dialog picks two
people, the conversation opens named by them, and the other two see it live, named by
theirs, with the message in it."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, menu, send, sidebar_chat, sign_in
from tests.browser.seeding import person

pytestmark = MODULE_LOOP


async def test_start_a_group_dm_that_the_other_two_see(new_page, live):
    ana, bo, cy = [await person(live, n, n.capitalize()) for n in ("ana", "bo", "cy")]
    pages = {}
    for someone in (ana, bo, cy):
        pages[someone.username] = page = await new_page()
        await sign_in(page, someone.username)
    ana_page = pages[ana.username]

    await menu(ana_page, "New direct message")
    dialog = ana_page.get_by_role("dialog", name="New direct message")
    chosen = dialog.get_by_role("list", name="Chosen people")
    for someone in (bo, cy):
        await dialog.get_by_label("Find people").fill(someone.username)
        await dialog.get_by_role("button", name=f"Add {someone.display_name}").click()
        await expect(chosen).to_contain_text(someone.display_name)
    await dialog.get_by_role("button", name="Start conversation").click()
    await expect(dialog).to_be_hidden()
    await expect(ana_page.locator("#chat-title")).to_have_text("Bo, Cy")
    await expect(ana_page.locator("#chat-subtitle")).to_contain_text("You, Bo, Cy")
    # no roles: the group settings (and their admin controls) are not offered
    await expect(ana_page.get_by_role("button", name="Group settings")).to_be_hidden()
    await send(ana_page, "hello, both of you")

    for someone, name in ((bo, "Ana, Cy"), (cy, "Ana, Bo")):
        await expect(sidebar_chat(pages[someone.username], name)).to_contain_text(
            "hello, both of you"
        )
    for page in pages.values():
        assert page.errors == []

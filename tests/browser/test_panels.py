"""The dialogs: account (profile, password, devices), new direct message, the directory of public
groups, and the group panel's actions (admins, removal, leave, delete) as the other members see
them live."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import (
    MODULE_LOOP,
    PASSWORD,
    add_member,
    create_group,
    menu,
    register,
    send,
    sidebar_chat,
    sign_in,
    unique,
)

pytestmark = MODULE_LOOP

NEW_PASSWORD = "another long passphrase"


async def open_account(page):
    await page.get_by_role("button", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account")
    await expect(dialog).to_be_visible()
    # both devices' rows come from the server: wait until they are there
    await expect(dialog.get_by_role("list", name="Signed-in devices")).to_contain_text(
        "this device"
    )
    return dialog


async def test_account_profile_password_and_devices(new_page):
    page, other = await new_page(), await new_page()
    name = await register(page, unique("ana"), "Ana")
    await sign_in(other, name)  # a second device of the same person

    dialog = await open_account(page)
    devices = dialog.get_by_role("list", name="Signed-in devices").get_by_role("listitem")
    await expect(devices).to_have_count(2)
    await dialog.get_by_label("Display name").fill("Ana Maria")
    await dialog.get_by_label("Phone").fill("+44 20 7946 0000")
    await dialog.get_by_label("Birth date").fill("1990-04-05")
    await dialog.get_by_label("Bio").fill("Tea first.\nThen code.")
    await dialog.get_by_role("button", name="Save profile").click()
    await expect(dialog.get_by_role("status")).to_have_text("Profile saved.")
    await expect(page.locator("#me-name")).to_have_text("Ana Maria")

    # it is stored: a reload (signed back in by the cookie) shows the same values
    await page.reload()
    await expect(page.locator("#me-name")).to_have_text("Ana Maria")
    dialog = await open_account(page)
    await expect(dialog.get_by_label("Display name")).to_have_value("Ana Maria")
    await expect(dialog.get_by_label("Phone")).to_have_value("+44 20 7946 0000")
    await expect(dialog.get_by_label("Birth date")).to_have_value("1990-04-05")
    await expect(dialog.get_by_label("Bio")).to_have_value("Tea first.\nThen code.")

    # sign the other device out: its socket closes and it lands on the sign-in form
    await expect(devices).to_have_count(2)
    await dialog.get_by_role("button", name=re.compile("^Sign out ")).click()
    await expect(dialog.get_by_role("status")).to_have_text("That device is signed out.")
    await expect(devices).to_have_count(1)
    await expect(devices).to_contain_text("this device")
    await expect(other.get_by_role("form", name="Sign in")).to_be_visible()
    await expect(other.get_by_role("status")).to_contain_text("session has ended")
    await expect(other.get_by_role("navigation", name="Chats")).to_be_hidden()

    # change the password: the wrong current one is refused, the right one works
    await dialog.get_by_label("Current password").fill("not my password")
    await dialog.get_by_label("New password").fill(NEW_PASSWORD)
    await dialog.get_by_role("button", name="Change password").click()
    await expect(dialog.locator("#password-current ~ .field-error")).to_have_text(
        "Your current password is not right."
    )
    await dialog.get_by_label("Current password").fill(PASSWORD)
    await dialog.get_by_label("New password").fill(NEW_PASSWORD)
    await dialog.get_by_role("button", name="Change password").click()
    await expect(dialog.get_by_role("status")).to_contain_text("Password changed")
    await expect(dialog.get_by_label("Current password")).to_have_value("")
    await dialog.get_by_role("button", name="Close").click()
    # this device stays signed in; the new password is the one that signs in now
    await expect(page.locator("#banner")).to_be_hidden()
    await sign_in(other, name, NEW_PASSWORD)
    await expect(other.locator("#me-name")).to_have_text("Ana Maria")
    assert page.errors == [] and other.errors == []


async def test_new_direct_chat_and_public_group_directory(new_page):
    ana_page, bo_page = await new_page(), await new_page()
    await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")

    # new direct chat: find Bo by username, pick him, start: the chat opens, Bo gets it live
    await menu(ana_page, "New direct message")
    dialog = ana_page.get_by_role("dialog", name="New direct message")
    await expect(dialog.get_by_label("Find people")).to_be_focused()
    await dialog.get_by_label("Find people").fill(bo)
    await dialog.get_by_role("button", name="Add Bo").click()
    await dialog.get_by_role("button", name="Start conversation").click()
    await expect(dialog).to_be_hidden()
    await expect(ana_page.locator("#chat-title")).to_have_text("Bo")
    await send(ana_page, "a direct hello")
    await expect(sidebar_chat(bo_page, "Ana")).to_contain_text("a direct hello")
    # starting it again opens the same chat, not a second one
    await menu(ana_page, "New direct message")
    await dialog.get_by_label("Find people").fill(bo)
    await dialog.get_by_role("button", name="Add Bo").click()
    await dialog.get_by_role("button", name="Start conversation").click()
    await expect(dialog).to_be_hidden()
    await expect(sidebar_chat(ana_page, "Bo")).to_have_count(1)
    await expect(ana_page.get_by_role("log")).to_contain_text("a direct hello")

    # the directory lists public groups only; Bo joins one
    await create_group(ana_page, "Lobby", public=True)
    await create_group(ana_page, "Backroom")
    await sidebar_chat(ana_page, "Lobby").click()
    await expect(ana_page.locator("#chat-subtitle")).to_contain_text("1 member,")
    await menu(bo_page, "Public groups")
    directory = bo_page.get_by_role("dialog", name="Public groups")
    results = directory.get_by_role("list", name="Public groups")
    await expect(results).to_contain_text("Lobby")
    await expect(results).to_contain_text("1 member")
    await expect(results).not_to_contain_text("1 members")
    await expect(results).not_to_contain_text("Backroom")
    await directory.get_by_label("Filter by name").fill("nothing like it")
    await expect(results).to_contain_text("No public groups found")
    await directory.get_by_label("Filter by name").fill("lob")
    await directory.get_by_role("button", name="Join Lobby").click()
    await expect(directory).to_be_hidden()
    await expect(bo_page.locator("#chat-title")).to_have_text("Lobby")
    await send(bo_page, "Bo was here")
    # Ana sees the newcomer live, in the chat and in the member count
    await expect(ana_page.get_by_role("log")).to_contain_text("Bo was here")
    await expect(ana_page.locator("#chat-subtitle")).to_contain_text("2 members")
    # joined groups say Open, not Join
    await menu(bo_page, "Public groups")
    await expect(directory.get_by_role("button", name="Open Lobby")).to_be_visible()
    assert ana_page.errors == [] and bo_page.errors == []


async def test_group_panel_admins_removal_leave_and_delete(new_page):
    ana_page, bo_page, cy_page = await new_page(), await new_page(), await new_page()
    await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")
    cy = await register(cy_page, unique("cy"), "Cy")
    await create_group(ana_page, "Crew")
    panel = await add_member(ana_page, bo, "Bo")
    await panel.get_by_label("Add people").fill(cy)
    await panel.get_by_role("button", name="Add Cy").click()
    members = panel.get_by_role("list", name="Members")
    await expect(members).to_contain_text("Cy")

    # make Bo an admin: the badge shows, and Bo's panel gains the admin's powers live
    await bo_page.get_by_role("navigation").get_by_role("button", name="Crew").click()
    await bo_page.get_by_role("button", name="Group settings").click()
    bo_panel = bo_page.get_by_role("dialog", name="Crew")
    await expect(bo_panel.get_by_role("list", name="Members")).to_contain_text("Cy")
    await expect(bo_panel.get_by_role("button", name="Remove Cy")).to_have_count(0)
    await expect(bo_panel.get_by_label("Add people")).to_be_hidden()
    await panel.get_by_role("button", name="Make Bo admin").click()
    bo_row = members.get_by_role("listitem").filter(has_text="Bo")
    await expect(bo_row).to_contain_text("admin")
    await expect(bo_row.get_by_role("button", name="Unmake Bo admin")).to_be_visible()
    await expect(bo_panel.get_by_role("button", name="Remove Cy")).to_be_visible()
    await expect(bo_panel.get_by_label("Add people")).to_be_visible()

    # Bo, as admin, removes Cy: Cy loses the chat live, Ana's list drops Cy live
    await expect(sidebar_chat(cy_page, "Crew")).to_have_count(1)
    await bo_panel.get_by_role("button", name="Remove Cy").click()
    await bo_page.get_by_role("dialog").get_by_role("button", name="Remove", exact=True).click()
    await expect(sidebar_chat(cy_page, "Crew")).to_have_count(0)
    await expect(members).not_to_contain_text("Cy")
    await bo_panel.get_by_role("button", name="Close").click()

    # unmake Bo: the badge goes
    await panel.get_by_role("button", name="Unmake Bo admin").click()
    await expect(bo_row.get_by_role("button", name="Make Bo admin")).to_be_visible()
    await expect(bo_row.locator(".badge")).to_have_count(0)

    # Bo leaves: Bo's sidebar loses it, Ana's member list drops Bo live
    await bo_page.get_by_role("button", name="Group settings").click()
    await bo_panel.get_by_role("button", name="Leave group").click()
    await bo_page.get_by_role("dialog").get_by_role("button", name="Leave", exact=True).click()
    await expect(sidebar_chat(bo_page, "Crew")).to_have_count(0)
    await expect(bo_page.locator("#chat-open")).to_be_hidden()
    await expect(members).not_to_contain_text("Bo")
    await expect(ana_page.get_by_role("log")).to_contain_text("left")
    await panel.get_by_role("button", name="Close").click()

    # the owner deletes a group: the other member's sidebar loses it live
    await create_group(ana_page, "Doomed")
    await add_member(ana_page, bo, "Bo")
    panel = ana_page.get_by_role("dialog", name="Doomed", exact=True)
    await expect(sidebar_chat(bo_page, "Doomed")).to_have_count(1)
    await sidebar_chat(bo_page, "Doomed").click()
    await expect(bo_page.locator("#chat-title")).to_have_text("Doomed")
    await panel.get_by_role("button", name="Delete group").click()
    await ana_page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    await expect(panel).to_be_hidden()
    await expect(sidebar_chat(ana_page, "Doomed")).to_have_count(0)
    await expect(sidebar_chat(bo_page, "Doomed")).to_have_count(0)
    await expect(bo_page.locator("#chat-open")).to_be_hidden()
    for page in (ana_page, bo_page, cy_page):
        assert page.errors == []

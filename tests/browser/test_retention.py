"""A group's owner sets how long its messages are kept in the group's settings; the change
shows in the group as a system message; a member sees the field but can't change it; the
command line's change (`chinwag groups retention`) shows live, said as an administrator's."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, add_member, create_group, register, unique

pytestmark = MODULE_LOOP


async def test_the_owner_sets_the_groups_retention(new_page, live):
    ana_page, bo_page = await new_page(), await new_page()
    await register(ana_page, unique("ana"), "Ana")
    bo = await register(bo_page, unique("bo"), "Bo")
    await create_group(ana_page, "Brief")
    panel = await add_member(ana_page, bo, "Bo")

    field = panel.get_by_label("Keep messages for")
    await expect(field).to_be_enabled()
    await field.fill("30")
    await panel.get_by_role("button", name="Save changes").click()
    messages = ana_page.get_by_role("log", name="Messages")
    await expect(messages).to_contain_text("set messages to be kept for 30 days")
    await expect(field).to_have_value("30")

    await bo_page.get_by_role("navigation").get_by_role("button", name="Brief").click()
    await bo_page.get_by_role("button", name="Group settings").click()
    bo_panel = bo_page.get_by_role("dialog", name="Brief")
    await expect(bo_panel.get_by_label("Keep messages for")).to_have_value("30")
    await expect(bo_panel.get_by_label("Keep messages for")).to_be_disabled()

    # the operator's twin goes through the same service: announced live, the field follows
    from chinwag.chats.service import groups_named, set_retention_as_operator

    [brief] = await groups_named(live.ctx, "Brief")
    await set_retention_as_operator(live.ctx, brief.id, 7)
    await expect(bo_page.get_by_role("log", name="Messages")).to_contain_text(
        "An administrator set messages to be kept for 7 days"
    )
    await expect(bo_panel.get_by_label("Keep messages for")).to_have_value("7")

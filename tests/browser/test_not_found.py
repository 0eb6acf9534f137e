"""A mistyped address in the browser shows a page with a way back, not raw JSON."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP

pytestmark = MODULE_LOOP


async def test_an_unknown_address_shows_a_page_with_a_way_back(new_page):
    page = await new_page()
    response = await page.goto("/no/such/page")
    assert response.status == 404
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    await page.get_by_role("link", name="Go to chinwag").click()
    await expect(page.get_by_role("form", name="Sign in")).to_be_visible()
    assert page.errors == []  # its styles load under the page's CSP

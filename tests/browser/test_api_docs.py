"""The API docs work where there is no internet: Swagger UI (/docs, and /swagger) and ReDoc
(/redoc) load everything from chinwag itself, under the page CSP, and list the operations."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP

pytestmark = MODULE_LOOP

OPERATION = "Sign in by email or username"  # POST /api/auth/login's summary
SLOW_MS = 30_000  # laying out the whole API document, on a loaded machine
# ReDoc's footer credits Redocly with a logo from its CDN: the page CSP refuses it (so no
# request leaves), and the console says so. The only refusal the pages may show.
REDOC_LOGO_REFUSED = "Loading the image 'https://cdn.redoc.ly/"


async def offline_page(new_page):
    """A page whose requests to anywhere but this machine fail, as with no network; the
    hosts it tried are in page.outside."""
    page = await new_page()
    page.outside = []

    async def only_local(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            page.outside.append(host)
            await route.abort("internetdisconnected")

    await page.route("**/*", only_local)
    return page


async def test_swagger_ui_lists_the_operations_offline(new_page):
    for path in ("/docs", "/swagger"):
        page = await offline_page(new_page)
        response = await page.goto(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        operation = page.locator(".opblock-summary", has_text="/api/auth/login")
        await expect(operation.first).to_be_visible()
        await expect(page.get_by_text(OPERATION).first).to_be_visible()
        await expect(page.get_by_role("button", name="Authorize", exact=True)).to_be_visible()
        assert page.outside == [], path
        # CSP refusals and script errors land here (the fixture records console errors)
        assert page.errors == [], path


async def test_redoc_lists_the_operations_offline(new_page):
    page = await offline_page(new_page)
    response = await page.goto("/redoc")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # ReDoc lays the whole document out before showing any of it: on a loaded CI machine
    # that alone can take longer than the usual wait
    await expect(page.get_by_role("heading", name=OPERATION)).to_be_visible(timeout=SLOW_MS)
    # the search runs in ReDoc's worker (the page's CSP lets it start one from a blob: URL)
    await page.get_by_placeholder("Search...").fill("password reset")
    hits = page.locator("[data-role='search:results'] li")
    await expect(hits.first).to_be_visible()
    assert page.outside == []
    assert [e for e in page.errors if not e.startswith(REDOC_LOGO_REFUSED)] == []


async def test_swagger_ui_signs_in_and_calls_the_api_offline(new_page, live):
    import httpx

    person = {"email": "doc@example.com", "username": "doc_reader", "password": "correct horse"}
    async with httpx.AsyncClient(base_url=live.url) as http:
        assert (await http.post("/api/auth/register", json=person)).status_code == 201
    page = await offline_page(new_page)
    await page.goto("/docs")
    # Authorize: the OAuth2 password form, posted to /api/auth/token (connect-src 'self'); the
    # button is stable only once Swagger UI has laid the whole document out (slow when loaded)
    await page.get_by_role("button", name="Authorize", exact=True).click(timeout=SLOW_MS)
    dialog = page.locator(".dialog-ux")
    await dialog.locator("#oauth_username").fill(person["username"])
    await dialog.locator("#oauth_password").fill(person["password"])
    await dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    await expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
    await dialog.get_by_role("button", name="Close").first.click()
    # Try it out: GET /api/users/me with the token it got
    operation = page.locator(".opblock-get", has_text="/api/users/me").filter(has_text="My profile")
    await operation.locator(".opblock-summary").first.click()
    await operation.get_by_role("button", name="Try it out").click()
    await operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table tbody .response-col_status").first
    await expect(answer).to_have_text("200")
    await expect(operation.locator(".live-responses-table tbody")).to_contain_text(
        person["username"]
    )
    assert page.outside == []
    assert page.errors == []

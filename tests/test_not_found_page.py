"""An unknown address opened in a browser gets a page with a way back to the client; the API,
and anything that doesn't ask for HTML, keeps the JSON error."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/nowhere", "/chat/12", "/static/app/js/missing.js/x"])
async def test_a_browser_gets_an_html_page_with_a_way_back(client, path):
    response = await client.get(path, headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert 'href="/"' in response.text
    # the page obeys the same policy as the client: no inline script or style to allow
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "<script" not in response.text and "style=" not in response.text


@pytest.mark.parametrize("path", ["/api/nowhere", "/api", "/api/chats/999/nothing"])
async def test_the_api_answers_json_even_to_a_browser(client, path):
    assert_error(await client.get(path, headers=BROWSER), 404, "not_found")


async def test_a_program_gets_json(client):
    assert_error(await client.get("/nowhere"), 404, "not_found")
    response = await client.get("/nowhere", headers={"Accept": "application/json"})
    assert_error(response, 404, "not_found")

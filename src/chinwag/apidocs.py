"""The API's documentation pages, `/docs` (Swagger UI, also at `/swagger`) and `/redoc`, served
without a CDN: the scripts and styles are fastapi-offline's package files, the pages and their
start-up script are ours (web/docs/), so nothing runs inline and the pages keep the strict
Content-Security-Policy of every other page (httpheaders.py). A chat server often runs where
there is no internet: FastAPI's own pages were blank there.

ReDoc styles itself with <style> elements, which the page CSP refuses: /redoc's policy is the
page's plus one `style-src` nonce, new for every answer (scripts stay 'self' only)."""

from __future__ import annotations

import secrets
from functools import cache

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles

from chinwag.httpheaders import csp_with_style_nonce
from chinwag.webclient import WEB_ROOT

DOCS_ROOT = WEB_ROOT / "docs"
SWAGGER_PATHS = ("/docs", "/swagger")
REDOC_PATH = "/redoc"


async def swagger_page() -> FileResponse:
    return FileResponse(str(DOCS_ROOT / "swagger.html"), headers={"cache-control": "no-cache"})


@cache
def _redoc_template() -> str:
    return (DOCS_ROOT / "redoc.html").read_text()


async def redoc_page() -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    return HTMLResponse(
        _redoc_template().replace("{{style_nonce}}", nonce),
        # no-store: a page is never shown again with a nonce another answer had
        headers={
            "cache-control": "no-store",
            "content-security-policy": csp_with_style_nonce(nonce),
        },
    )


def install_api_docs(app: FastAPI) -> None:
    """Serve the two documentation pages and the libraries they load (the app is created with
    FastAPI's own docs pages turned off)."""
    for path in SWAGGER_PATHS:
        app.add_api_route(path, swagger_page, include_in_schema=False)
    app.add_api_route(REDOC_PATH, redoc_page, include_in_schema=False)
    app.mount(
        "/static/vendor/apidocs",
        StaticFiles(packages=[("fastapi_offline", "static")]),
        name="apidocs",
    )

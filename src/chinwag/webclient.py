"""The web client: index.html at `/`, its ES modules and CSS, and the vendored Bootstrap files,
all served by chinwag itself (no CDN); httpheaders.py gives them a strict
Content-Security-Policy."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from chinwag.errors import http_error

WEB_ROOT = files("chinwag") / "web"
# Where the answer is for programs whatever the Accept header says.
MACHINE_PATHS = ("/api/", "/ws", "/socket.io/", "/healthz", "/readyz", "/metrics")
# What the service worker caches besides the client's own files: the page and the vendored
# Bootstrap files it links (the icon font included, or icons go blank offline).
SHELL_EXTRA = (
    "/",
    "/manifest.webmanifest",
    "/static/vendor/bootstrap/css/bootstrap.min.css",
    "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
    "/static/vendor/bootstrap-icons/bootstrap-icons.min.css",
    "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
)
SHELL_SUFFIXES = (".js", ".css", ".png")


async def index() -> FileResponse:
    # no-cache: a new release's module URLs must be picked up on the next load
    return FileResponse(str(WEB_ROOT / "index.html"), headers={"cache-control": "no-cache"})


def _client_files() -> list:
    found, folders = [], [WEB_ROOT]
    while folders:
        for entry in folders.pop().iterdir():
            if entry.is_dir():
                if entry.name != "docs":  # the API docs pages: not part of the app
                    folders.append(entry)
            elif entry.name.endswith(SHELL_SUFFIXES) and entry.name != "sw.js":
                found.append(entry)
    return found


@cache
def service_worker_text() -> str:
    """web/sw.js with the list of files to cache and a version that changes with any of
    them (a new release installs a new worker, which replaces the old cache)."""
    root = str(WEB_ROOT)
    client = sorted(_client_files(), key=str)
    digest = hashlib.sha256()
    for entry in client:
        digest.update(str(entry).encode())
        digest.update(entry.read_bytes())
    shell = [*SHELL_EXTRA, *(f"/static/app{str(e)[len(root) :]}" for e in client)]
    digest.update((WEB_ROOT / "sw.js").read_bytes())
    digest.update((WEB_ROOT / "index.html").read_bytes())
    version = json.dumps(digest.hexdigest()[:16])
    head = f"const SHELL = {json.dumps(shell)};\nconst VERSION = {version};\n"
    return head + (WEB_ROOT / "sw.js").read_text(encoding="utf-8")


async def service_worker() -> Response:
    # At the root, so its scope is the whole app; no-cache: browsers check it on each load.
    return Response(
        service_worker_text(),
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )


async def manifest() -> Response:
    return Response(
        (WEB_ROOT / "manifest.webmanifest").read_bytes(),
        media_type="application/manifest+json",
        headers={"cache-control": "no-cache"},
    )


def _wants_page(request: Request) -> bool:
    path = request.url.path
    if path == "/api" or path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: HTTPException) -> Response:
    """A person who follows a wrong link in a browser gets a page with a way back, not raw
    JSON; the API (and anything that doesn't ask for HTML) keeps the JSON error."""
    if not _wants_page(request):
        return await http_error(request, exc)
    page = (WEB_ROOT / "404.html").read_text(encoding="utf-8")
    return HTMLResponse(page, status_code=404, headers={"cache-control": "no-cache"})


def install_web_client(app: FastAPI) -> None:
    """Serve the client at `/` and its files under /static/, and the page for unknown paths."""
    app.add_api_route("/", index, include_in_schema=False)
    app.add_api_route("/sw.js", service_worker, include_in_schema=False)
    app.add_api_route("/manifest.webmanifest", manifest, include_in_schema=False)
    # a status handler comes before the class handler of errors.py for this status only
    app.add_exception_handler(404, not_found)
    app.mount("/static/app", StaticFiles(directory=str(WEB_ROOT)), name="web")
    app.mount(
        "/static/vendor/bootstrap",
        StaticFiles(packages=[("js_lib_bootstrap5", "static/js-lib-bootstrap5")]),
        name="bootstrap",
    )
    app.mount(
        "/static/vendor/bootstrap-icons",
        StaticFiles(packages=[("js_lib_bootstrap_icons", "static/bootstrap-icons/font")]),
        name="bootstrap-icons",
    )

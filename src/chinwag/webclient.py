"""The web client: index.html at `/`, its ES modules and CSS, and the vendored Bootstrap files,
all served by chinwag itself (no CDN); httpheaders.py gives them a strict
Content-Security-Policy."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from chinwag.errors import http_error

WEB_ROOT = files("chinwag") / "web"
# Where the answer is for programs whatever the Accept header says.
MACHINE_PATHS = ("/api/", "/ws", "/socket.io/", "/healthz", "/readyz", "/metrics")


async def index() -> FileResponse:
    # no-cache: a new release's module URLs must be picked up on the next load
    return FileResponse(str(WEB_ROOT / "index.html"), headers={"cache-control": "no-cache"})


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

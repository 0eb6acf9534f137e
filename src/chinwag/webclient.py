"""The web client: index.html at `/`, its ES modules and CSS, and the vendored Bootstrap files,
all served by chinwag itself (no CDN); httpheaders.py gives them a strict
Content-Security-Policy."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

WEB_ROOT = files("chinwag") / "web"


async def index() -> FileResponse:
    # no-cache: a new release's module URLs must be picked up on the next load
    return FileResponse(str(WEB_ROOT / "index.html"), headers={"cache-control": "no-cache"})


def install_web_client(app: FastAPI) -> None:
    """Serve the client at `/` and its files under /static/."""
    app.add_api_route("/", index, include_in_schema=False)
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

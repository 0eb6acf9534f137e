"""The web client: index.html at `/`, its ES modules and CSS, and the vendored Bootstrap files,
all served by chinwag itself (no CDN), with a strict Content-Security-Policy."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEB_ROOT = files("chinwag") / "web"

# 'self' covers same-origin ws:/wss: in current browsers; data: images are Bootstrap's
# inline SVG icons (close buttons, form controls); blob: images are files fetched with the
# bearer token (an <img src> can't send it) and previews of files about to be uploaded.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI and ReDoc load from a CDN and run inline scripts: they keep FastAPI's defaults.
DOCS_PREFIXES = ("/docs", "/redoc")
COMMON_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


class SecurityHeaders:
    """Pure ASGI middleware (so WebSockets and streaming pass untouched) adding the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = list(COMMON_HEADERS)
        if not scope["path"].startswith(DOCS_PREFIXES):
            extra.append((b"content-security-policy", CSP.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                # A route's own policy (files answer with CSP sandbox) wins over the page's.
                present = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
    app.add_middleware(SecurityHeaders)

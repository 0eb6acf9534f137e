"""The headers every HTTP answer carries: nosniff, no referrer, framing refused, the page's
Content-Security-Policy (the API docs pages included: apidocs.py serves them without inline
scripts or a CDN), HSTS when chinwag is served over https, and `no-store` on the API.

The layer wraps the whole app (see `ChinwagApp` in app.py), Starlette's ServerErrorMiddleware
included, so the 500 for an unhandled exception carries them too."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chinwag.config import Settings

Headers = list[tuple[bytes, bytes]]

# 'self' covers same-origin ws:/wss: in current browsers; data: images are Bootstrap's
# inline SVG icons (close buttons, form controls); blob: images are files fetched with the
# bearer token (an <img src> can't send it) and previews of files about to be uploaded.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# The one <style> ReDoc's bundle inserts as it loads, before it could be given a nonce:
# perfect-scrollbar's fixed rules (`.ps{overflow:hidden!important;...`) in redoc 2.5.3, as
# fastapi-offline 1.7.7 ships it, checked once empty and once filled (the first hash is the
# empty text's). tests/browser/test_api_docs.py fails if that changes.
REDOC_SCROLLBAR_STYLE = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
)


def csp_with_style_nonce(nonce: str) -> str:
    """The page CSP for ReDoc: its <style> elements carrying `nonce` apply (styled-components),
    and its search index is built in a worker that it starts from a blob: URL."""
    return (
        f"{CSP}; style-src 'self' 'nonce-{nonce}' {REDOC_SCROLLBAR_STYLE}; worker-src 'self' blob:"
    )


COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # frame-ancestors' twin for browsers that predate it
    (b"x-frame-options", b"DENY"),
]
# Profiles (email, phone), tokens, sessions, messages: no shared or browser cache keeps API
# answers. A route that may be cached says so itself (files: `private`, with Range).
API_CACHE = (b"cache-control", b"no-store")


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class SecurityHeaders:
    """Pure ASGI middleware (so WebSockets and streaming pass untouched) adding the headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.always_https = settings.public_url.startswith("https://")
        page: Headers = [*COMMON, (b"content-security-policy", CSP.encode())]
        hsts = (b"strict-transport-security", f"max-age={settings.hsts_max_age}".encode())
        # (page, api) headers over http, and over https (HSTS added)
        self.plain = (page, [*page, API_CACHE])
        self.secure = ([*page, hsts], [*page, hsts, API_CACHE])

    def headers_for(self, path: str, scheme: str = "http") -> Headers:
        # HSTS whenever the answer goes out over https: TLS served by chinwag, a trusted
        # proxy's X-Forwarded-Proto (the scope's scheme), or an https public URL (a proxy
        # that terminates TLS without saying so).
        page, api = self.secure if self.always_https or scheme == "https" else self.plain
        return api if _is_under(path, "/api") else page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = self.headers_for(scope["path"], scope.get("scheme", "http"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                # A route's own header wins (files answer with CSP sandbox, Cache-Control
                # private; the page with no-cache).
                present = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)

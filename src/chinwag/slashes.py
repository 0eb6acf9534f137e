"""Trailing-slash redirects (GET /api/chats/ -> /api/chats) with a relative Location.

Starlette's own build an absolute URL from the request's Host header, which the client
chooses: behind a cache or a proxy that keeps Host, a forged one would send other people to
another site. A path and query alone always stay on the site the browser is on."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.routing import Match, get_route_path
from starlette.types import Receive, Scope, Send


def _other_form(scope: Scope) -> dict | None:
    """The scope with the trailing slash added or removed, or None where there is none to
    toggle (the root) or the result would start with `//` (a protocol-relative URL: a
    redirect to another host)."""
    route_path = get_route_path(scope)
    if route_path == "/":
        return None
    path = scope["path"]
    toggled = path.rstrip("/") if route_path.endswith("/") else path + "/"
    if not toggled.startswith("/") or toggled.startswith("//"):
        return None
    return {**scope, "path": toggled}


def _location(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return scope["path"] + (f"?{query}" if query else "")


def install_slash_redirects(app: FastAPI) -> None:
    """Answer a path that only matches a route with or without its trailing slash by a 307
    to the path that does, relative; anything else goes on to the router's 404."""
    router = app.router
    router.redirect_slashes = False  # ours instead: Starlette's would answer first
    not_found = router.default

    async def redirect_or_not_found(scope: Scope, receive: Receive, send: Send) -> None:
        other = _other_form(scope) if scope["type"] == "http" else None
        if other is not None and any(
            route.matches(other)[0] is not Match.NONE for route in router.routes
        ):
            await RedirectResponse(_location(other))(scope, receive, send)
            return
        await not_found(scope, receive, send)

    router.default = redirect_or_not_found

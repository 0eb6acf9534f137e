"""405 answers that list every method of a path, decided before routing.

The router answers 405 from the first route whose path matched, so `PUT /api/chats/1` listed
only GET of GET/PATCH/DELETE. And a parametrised path takes a literal sibling's name as its
parameter: `PATCH /api/chats/direct` reached PATCH /api/chats/{chat_id} and failed there as a
non-integer id (422), though /api/chats/direct is a path of its own that only takes POST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, partial

from fastapi.routing import iter_route_contexts
from starlette._utils import get_route_path  # the path as the router matches it
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from chinwag.errors import error_body

METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@dataclass(frozen=True)
class PathMethods:
    regex: re.Pattern
    literal: bool  # no parameters: it wins over a parametrised path that also matches
    methods: frozenset[str]


def method_table(routes) -> list[PathMethods]:
    """Every HTTP route of the app (included routers flattened) with its methods."""
    return [
        PathMethods(route.path_regex, not route.param_convertors, frozenset(route.methods))
        for route in iter_route_contexts(routes)
        if route.methods and getattr(route, "path_regex", None) is not None
    ]


def allowed_methods(table: list[PathMethods], path: str) -> list[str]:
    """The methods `path` answers: a literal path's own, else every parametrised match's."""
    matching = [entry for entry in table if entry.regex.match(path)]
    chosen = [entry for entry in matching if entry.literal] or matching
    methods = set().union(*(entry.methods for entry in chosen))
    return sorted(methods, key=lambda m: (METHOD_ORDER + [m]).index(m))


class AllowedMethods:
    """Pure ASGI middleware: a method the path doesn't have gets 405 with all it does have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._allowed = None  # path -> its methods, cached: matching every route costs ~10 µs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self._allowed is None:  # every route is in place once requests arrive
                table = method_table(scope["app"].routes)
                self._allowed = lru_cache(maxsize=4096)(partial(allowed_methods, table))
            allowed = self._allowed(get_route_path(scope))
            if allowed and scope["method"] not in allowed:
                response = JSONResponse(
                    error_body("method_not_allowed", f"{scope['method']} is not allowed here"),
                    status_code=405,
                    headers={"Allow": ", ".join(allowed)},
                )
                return await response(scope, receive, send)
        await self.app(scope, receive, send)

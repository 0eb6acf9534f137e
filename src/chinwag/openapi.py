"""The OpenAPI document, completed where FastAPI can't see what the app answers."""

from __future__ import annotations

from fastapi import FastAPI

from chinwag.errors import ERROR_SCHEMA

# FastAPI answers 400 itself when a JSON body can't even be decoded (bytes that aren't UTF-8),
# before any route runs, so no route can declare it; malformed JSON text is a 422.
BODY_NOT_DECODABLE = {
    "description": "The body could not be read as JSON text (bytes that aren't UTF-8)",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}


# The body cap (BodyLimitMiddleware) answers before any route, too.
BODY_TOO_LARGE = {
    "description": "The body is larger than CHINWAG_HTTP_MAX_BODY_BYTES (`too_large`)",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}


def document_body_errors(schema: dict) -> None:
    """Add the 413 of an oversized body to every operation that takes one, and the 400 of an
    undecodable one to every operation that takes JSON."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if content:
                operation["responses"].setdefault("413", BODY_TOO_LARGE)
            if "application/json" in content:
                _add_body_not_decodable(operation["responses"])


def _add_body_not_decodable(responses: dict) -> None:
    if "400" not in responses:
        responses["400"] = BODY_NOT_DECODABLE
        return
    # The route's own 400s: the same shape, for either reason.
    reason = BODY_NOT_DECODABLE["description"]
    responses["400"] = {
        **responses["400"],
        "description": f"{responses['400']['description']}, or {reason[0].lower()}{reason[1:]}",
    }


# A token limited to the two-factor setup (the workspace requires it) opens only these; every
# other signed-in operation may answer 403 two_factor_setup_required (deps.get_caller).
SETUP_OPEN = {("get", "/api/users/me"), ("post", "/api/auth/logout")}
SETUP_PREFIX = "/api/users/me/two-factor"
SETUP_REQUIRED = (
    "`two_factor_setup_required`: the workspace requires two-factor sign-in and this account "
    "hasn't set it up"
)


def document_setup_limit(schema: dict) -> None:
    """Add the 403 of a setup-only token to every signed-in operation but the setup's own."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            signed_in = "security" in operation and "401" in operation["responses"]
            open_to_setup = (method, path) in SETUP_OPEN or path.startswith(SETUP_PREFIX)
            if signed_in and not open_to_setup:
                _add_setup_required(operation["responses"])


def _add_setup_required(responses: dict) -> None:
    if "403" not in responses:
        responses["403"] = {
            "description": SETUP_REQUIRED[0].upper() + SETUP_REQUIRED[1:],
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        return
    responses["403"] = {
        **responses["403"],
        "description": f"{responses['403']['description']}, or {SETUP_REQUIRED}",
    }


def install_openapi(app: FastAPI) -> None:
    """Serve FastAPI's generated document with what it is missing added, built once."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document_body_errors(generate())  # generate() keeps it as app.openapi_schema
            document_setup_limit(app.openapi_schema)
        return app.openapi_schema

    app.openapi = openapi

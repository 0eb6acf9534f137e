"""Domain errors carry their HTTP status, error code and WebSocket close code; one handler
maps them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chinwag.validation import UNKNOWN_FIELD, problems_text


class ChinwagError(Exception):
    status = 400
    code = "bad_request"
    ws_close: int | None = None  # None: answer with an error frame and keep the socket open

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.headers = headers or {}
        # Fields beside code and message, in the HTTP error body and the WS error frame alike
        # (`until` of a mute, `retry_after` of slow mode): what a client needs to say when.
        self.extra = extra or {}


class BadRequest(ChinwagError):
    status, code = 400, "bad_request"


class Unauthorized(ChinwagError):
    status, code, ws_close = 401, "unauthorized", 1008


class Forbidden(ChinwagError):
    status, code = 403, "forbidden"


class NotFound(ChinwagError):
    status, code = 404, "not_found"


class Conflict(ChinwagError):
    status, code = 409, "conflict"


class Invalid(ChinwagError):
    """Input that passed the schema but breaks a configured limit or a cross-field rule."""

    status, code = 422, "validation_error"


class TooLarge(ChinwagError):
    status, code, ws_close = 413, "too_large", 1009


class TooManyRequests(ChinwagError):
    status, code = 429, "rate_limited"


class ServerBusy(ChinwagError):
    """A bounded resource (argon2's turns) is full: nothing was done; retry shortly."""

    status, code = 503, "server_busy"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class DatabaseUnavailable(ChinwagError):
    """The database is gone, frozen or locked: nothing was stored; the client may retry."""

    status, code = 503, "database_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def _safe_details(exc: RequestValidationError) -> list[dict]:
    # Echoing the input back could reflect a password; keep only where and why.
    return [
        {
            "loc": list(err.get("loc", ())),
            "msg": UNKNOWN_FIELD if err.get("type") == "extra_forbidden" else err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChinwagError)
    async def _domain(_: Request, exc: ChinwagError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.extra),
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(
            "validation_error", problems_text(exc.errors()), details=_safe_details(exc)
        )
        return JSONResponse(body, status_code=422)

    app.add_exception_handler(StarletteHTTPException, http_error)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JSONResponse:
        # A bug: Starlette's outermost middleware sends this instead of its plain-text page,
        # then raises again, so the server logs the traceback. Nothing of it reaches the client.
        return JSONResponse(error_body("internal_error", "Something went wrong"), status_code=500)


async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (no route, wrong method, a body that isn't JSON) in our shape."""
    code = {
        400: BadRequest.code,  # FastAPI's own: a JSON body that can't be decoded
        401: "unauthorized",
        404: "not_found",
        405: "method_not_allowed",
        413: TooLarge.code,
    }.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
}


def error_responses(*statuses: int) -> dict:
    """OpenAPI entries for the errors a route can answer, so /docs lists them."""
    reasons = {
        400: "Bad request",
        401: "Not signed in, or the token is invalid or expired",
        403: "Signed in but not allowed",
        404: "Not found (or not visible to you)",
        409: "Conflicts with existing data",
        413: "Too large",
        422: "Invalid input",
        429: "Too many attempts; see Retry-After",
        503: "Busy or the database is unavailable; see Retry-After",
    }
    return {
        s: {"description": reasons[s], "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for s in statuses
    }

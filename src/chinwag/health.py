"""Liveness, readiness (database and broker) and Prometheus metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from chinwag import metrics
from chinwag.deps import Ctx
from chinwag.errors import NotFound, Unauthorized, error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database and the broker answer",
    responses={503: {"description": "Not ready"}},
)
async def readyz(ctx: Ctx) -> JSONResponse:
    checks = {"database": await _database_ok(ctx), "broker": await _broker_ok(ctx)}
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {k: "ok" if v else "failed" for k, v in checks.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _database_ok(ctx) -> bool:
    return await ctx.db.ping()


async def _broker_ok(ctx) -> bool:
    try:
        return await ctx.broker.ping()
    except OSError:
        return False


@router.get(
    "/metrics",
    summary="Prometheus metrics (bearer CHINWAG_METRICS_TOKEN)",
    description="Served here only with `Authorization: Bearer $CHINWAG_METRICS_TOKEN`; "
    "without a token set, 404 (serve them on `chinwag serve --metrics-port` instead).",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
        **error_responses(401, 404),
    },
)
async def metrics_page(request: Request, ctx: Ctx) -> Response:
    token = ctx.settings.metrics_token
    if not token:
        # Socket counts, routes and timings are nobody's business on a public port.
        raise NotFound(
            "Metrics are served with CHINWAG_METRICS_TOKEN (as a bearer token) or on "
            "chinwag serve --metrics-port"
        )
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorized(
            "Send Authorization: Bearer <CHINWAG_METRICS_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    metrics.flush(ctx.hub)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)

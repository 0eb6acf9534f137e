"""Liveness, readiness (database and broker) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chinwag.deps import Ctx

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


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

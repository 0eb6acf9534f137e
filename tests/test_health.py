"""Liveness, readiness, metrics and the API documentation."""

import re


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_checks_database_and_broker(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


async def test_readyz_reports_a_dead_database(client, ctx):
    from chinwag.db.database import open_database

    healthy = ctx.db
    ctx.db = open_database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        response = await client.get("/readyz")
    finally:
        await ctx.db.close()
        ctx.db = healthy
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"


async def test_metrics_are_not_public(client):
    # tests/test_metrics.py serves them with a token and on a port of their own
    await client.get("/healthz")
    assert (await client.get("/metrics")).status_code == 404


async def test_every_operation_is_documented(client):
    spec = (await client.get("/openapi.json")).json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/")
    ]
    assert len(operations) >= 33
    for path, method, op in operations:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
        # 303: a browser navigation's success (single sign-on's start and callback)
        successes = {"200", "201", "202", "204", "303"}
        assert successes & set(op["responses"]), (method, path)
        errors = [code for code in op["responses"] if code.startswith(("4", "5"))]
        assert errors, f"{method.upper()} {path} documents no error responses"


async def test_docs_pages_are_served_with_their_libraries(client):
    for path in ("/docs", "/swagger", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert "cdn" not in page.text.lower(), path
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert (await client.get(asset)).status_code == 200, asset

"""A bug answers 500 in the API's error shape, with nothing of the exception in it (the
exception is raised on to the server, which logs its traceback)."""

from __future__ import annotations

import httpx

from tests.conftest import assert_error


class _Boom(RuntimeError):
    pass


async def test_an_unhandled_exception_answers_json_500_and_is_logged(app):
    @app.get("/api/test-only/boom")
    async def boom() -> None:
        raise _Boom("secret detail 1234")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/test-only/boom")
    error = assert_error(response, 500, "internal_error")
    assert response.headers["content-type"] == "application/json"
    assert "secret" not in response.text and "_Boom" not in response.text
    assert error["message"] == "Something went wrong"

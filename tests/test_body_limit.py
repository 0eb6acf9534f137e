"""Request bodies are capped (JSON and forms; uploads stream under their own limit): 413 in
the error shape, from Content-Length alone or as soon as a streamed body passes the cap."""

from __future__ import annotations

import json

from tests.conftest import assert_error

LIMIT = 64 * 1024


async def test_a_declared_oversized_body_is_refused_unread(client):
    body = json.dumps({"login": "ana", "password": "x" * (LIMIT + 10)})
    response = await client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json"}
    )
    error = assert_error(response, 413, "too_large")
    assert "64 KiB" in error["message"]


async def test_a_streamed_oversized_body_is_refused_at_the_cap(client):
    async def chunks():
        yield b'{"login": "ana", "password": "'
        for _ in range(100):
            yield b"x" * 4096  # no Content-Length: counted as it arrives
        yield b'"}'

    response = await client.post(
        "/api/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "too_large")


async def test_bodies_under_the_cap_pass(client, ana):
    response = await client.post(
        "/api/auth/login", json={"login": "ana", "password": "correct horse battery"}
    )
    assert response.status_code == 200, response.text

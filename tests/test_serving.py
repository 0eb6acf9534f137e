"""Slow and huge requests against a real `chinwag serve` process: a request's headers have a
deadline and a size cap, one address can't hold many half-sent requests, and the open-file
limit is raised at start."""

from __future__ import annotations

import asyncio
import json
import resource
from pathlib import Path

import httpx
import pytest

from tests.multiprocess.helpers import spawn_server, wait_ready

HEADER_TIMEOUT = 1.0
PENDING_PER_ADDRESS = 6
START = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serving")
    # Started with the usual soft limit of 1,024 descriptors (inherited), which it must lift.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        process = _spawn(workdir)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        asyncio.run(wait_ready(process))
        yield process
    finally:
        process.stop()


def _spawn(workdir):
    return spawn_server(
        "serving",
        f"sqlite+aiosqlite:///{workdir / 'chinwag.db'}",
        "memory://",
        workdir,
        env={
            "CHINWAG_HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "CHINWAG_HTTP_PENDING_PER_ADDRESS": str(PENDING_PER_ADDRESS),
            "CHINWAG_HTTP_MAX_HEADER_BYTES": "8192",
        },
    )


async def _open(server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict, bytes]:
    """Everything the server sends until it closes: status, headers and body."""
    raw = await asyncio.wait_for(reader.read(), timeout=10 * HEADER_TIMEOUT)
    if not raw:
        return 0, {}, b""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def _trickle(writer: asyncio.StreamWriter, closed: asyncio.Event) -> None:
    """A header line at a time, slower than any deadline could allow for all of them."""
    writer.write(START)
    for n in range(1000):
        if closed.is_set():
            return
        writer.write(b"X-Slow-%d: y\r\n" % n)
        try:
            await writer.drain()
        except ConnectionError:
            return
        await asyncio.sleep(HEADER_TIMEOUT / 10)  # the attack's own pace, not a wait on us


async def _trickled_answer(reader, writer) -> tuple[int, dict, bytes]:
    """Trickle headers on this connection until the server answers and closes it."""
    closed = asyncio.Event()
    trickling = asyncio.create_task(_trickle(writer, closed))
    answer = await _answer(reader)
    closed.set()
    await trickling
    writer.close()
    return answer


async def test_trickled_headers_get_408_and_the_connection_is_closed(server):
    status, headers, body = await _trickled_answer(*await _open(server))
    assert status == 408
    assert json.loads(body)["error"]["code"] == "request_timeout"
    assert headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff"


async def test_an_idle_connection_is_closed_without_an_answer(server):
    reader, writer = await _open(server)
    assert await _answer(reader) == (0, {}, b"")
    writer.close()


async def test_huge_headers_get_431_at_once(server):
    reader, writer = await _open(server)
    writer.write(START + b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n")
    status, _, body = await _answer(reader)
    writer.close()
    assert status == 431
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    async with httpx.AsyncClient() as http:  # the server goes on serving
        assert (await http.get(f"{server.url}/healthz")).status_code == 200


async def test_headers_under_the_cap_are_served(server):
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{server.url}/healthz", headers={"x-fill": "a" * 4000})
    assert answer.status_code == 200


async def test_one_address_holds_a_bounded_number_of_half_sent_requests(server):
    slow = [await _open(server) for _ in range(PENDING_PER_ADDRESS)]
    for _, writer in slow:
        writer.write(START)
        await writer.drain()
    reader, writer = await _open(server)
    status, headers, body = await _answer(reader)
    writer.close()
    assert status == 429
    assert json.loads(body)["error"]["code"] == "rate_limited"
    assert int(headers["retry-after"]) >= 1
    # Finishing one of the half-sent requests frees its place.
    first_reader, first_writer = slow[0]
    first_writer.write(b"Connection: close\r\n\r\n")
    assert (await _answer(first_reader))[0] == 200
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.url}/healthz")).status_code == 200
    for _, other in slow:
        other.close()


async def test_kept_alive_connections_get_the_deadline_for_their_next_request(server):
    reader, writer = await _open(server)
    writer.write(START + b"\r\n")
    first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    length = int(
        next(
            line for line in first.split(b"\r\n") if line.lower().startswith(b"content-length")
        ).split(b":")[1]
    )
    await reader.readexactly(length)
    assert first.startswith(b"HTTP/1.1 200")
    status, _, _ = await _trickled_answer(reader, writer)
    assert status == 408


def test_the_open_file_limit_is_raised_to_the_hard_limit(server):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limits = Path(f"/proc/{server.process.pid}/limits").read_text().splitlines()
    line = next(line for line in limits if line.startswith("Max open files"))
    assert line.split()[3:5] == [str(hard), str(hard)]

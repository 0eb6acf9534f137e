"""A local Web Push service standing in for the browser vendors' (npm web-push-testing,
pinned by tests/push_service/package-lock.json): installed once per lock into
~/.cache/chinwag-tests/, run on a free port for a test session, stopped after it."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI

PACKAGE = Path(__file__).parent / "push_service"
CACHE = Path.home() / ".cache" / "chinwag-tests"
START_TIMEOUT = 20  # seconds for node to start listening


def need_node() -> str:
    node = shutil.which("node")
    if node and shutil.which("npm"):
        return node
    if IN_CI:
        pytest.fail("Node.js and npm are required in CI (the local push service)")
    pytest.skip("Node.js and npm are needed for the local push service (web-push-testing)")


def installed() -> Path:
    """The package installed with `npm ci` into a folder named by the lock's hash."""
    lock = (PACKAGE / "package-lock.json").read_bytes()
    folder = CACHE / f"web-push-testing-{hashlib.sha256(lock).hexdigest()[:16]}"
    done = folder / ".installed"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PACKAGE / name, folder / name)
        subprocess.run(  # noqa: S603 - npm with fixed arguments
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607
            cwd=folder,
            check=True,
            timeout=300,
        )
        done.touch()
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PushService:
    url: str

    def subscribe(self, application_server_key: str) -> dict:
        """A subscription as a browser would get it: endpoint, keys, and the clientHash the
        service names it by."""
        response = httpx.post(
            f"{self.url}/subscribe",
            # its check wants the boolean as a string
            json={"userVisibleOnly": "true", "applicationServerKey": application_server_key},
        )
        response.raise_for_status()
        return response.json()["data"]

    def received(self, client_hash: str) -> list[str]:
        """The payloads pushed to that subscription so far, decrypted."""
        response = httpx.post(f"{self.url}/get-notifications", json={"clientHash": client_hash})
        response.raise_for_status()
        return response.json()["data"]["messages"]

    def expire(self, client_hash: str) -> None:
        httpx.post(f"{self.url}/expire-subscription/{client_hash}").raise_for_status()


def run_push_service():
    node = need_node()
    folder = installed()
    port = free_port()
    script = folder / "node_modules" / "web-push-testing" / "src" / "bin" / "server.js"
    process = subprocess.Popen(  # noqa: S603 - our own command
        [node, str(script), str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    service = PushService(f"http://localhost:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # no readiness signal but answering /status: poll it
            try:
                if httpx.post(f"{service.url}/status").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the push service exited"
            assert time.monotonic() < deadline, "the push service did not start"
            time.sleep(0.05)
        yield service
    finally:
        process.terminate()
        process.wait(timeout=10)

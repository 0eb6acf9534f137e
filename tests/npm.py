"""Real JavaScript peers for the tests (socket.io-client, an OpenID provider): Node's scripts
beside packages that `npm ci` installs once per lock file into the user's cache. Without Node
the tests skip, and fail in CI."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

NODE = "/usr/bin/node"
NPM = "/usr/bin/npm"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chinwag-tests"


def need_node() -> None:
    if os.path.exists(NODE) and os.path.exists(NPM):
        return
    if IN_CI:
        pytest.fail(f"Node is required in CI ({NODE}, {NPM}: apt-get install nodejs npm)")
    pytest.skip("Node and npm are missing: apt-get install nodejs npm to run these tests")


def installed_script(folder: Path, name: str, package: str, script: str) -> Path:
    """`folder`/`script` copied beside node_modules holding `package`, installed by `npm ci`
    from `folder`'s package files into a cache folder named by `name` and the lock file's
    hash (installed once, again when the lock changes)."""
    need_node()
    lock = (folder / "package-lock.json").read_bytes()
    home = CACHE / f"{name}-{hashlib.sha256(lock).hexdigest()[:16]}"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as held:  # pytest-xdist's workers: one installs
        fcntl.flock(held, fcntl.LOCK_EX)
        if not (home / "node_modules" / package).is_dir():
            for file in ("package.json", "package-lock.json"):
                shutil.copy(folder / file, home / file)
            subprocess.run(
                [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=home,
                check=True,
                timeout=300,
            )
        source = (folder / script).read_bytes()
        stem, suffix = script.rsplit(".", 1)
        copy = home / f"{stem}-{hashlib.sha256(source).hexdigest()[:12]}.{suffix}"
        if not copy.exists():
            shutil.copy(folder / script, copy)
    return copy

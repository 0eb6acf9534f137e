"""`chinwag users reset-two-factor <login>`, run as a real process against the test database:
a site administrator's recovery for a lost phone, audited."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import select

from chinwag.admin.models import AuditEntry
from tests.conftest import assert_error
from tests.twofactor.helpers import enable, login


def chinwag(settings, *args: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "CHINWAG_DATABASE_URL": settings.resolved_database_url,
        "CHINWAG_DATA_DIR": str(settings.data_dir),
        "CHINWAG_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "chinwag.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_reset_lets_the_password_alone_sign_in_and_is_audited(client, ctx, settings, ana):
    await enable(client, ana)
    assert_error(await login(client, ana), 401, "two_factor_required")

    done = await asyncio.to_thread(chinwag, settings, "users", "reset-two-factor", "ana")
    assert done.returncode == 0, done.stderr
    assert "reset" in done.stdout
    assert (await login(client, ana)).status_code == 200
    actions = await ctx.db.read(
        lambda db: list(db.execute(select(AuditEntry.action, AuditEntry.target_user_id)))
    )
    assert ("user.two_factor_reset", ana.id) in [tuple(row) for row in actions]

    again = await asyncio.to_thread(chinwag, settings, "users", "reset-two-factor", "ana")
    assert again.returncode == 1 and "no two-factor" in again.stderr

"""An authenticator app for the tests: pyotp computing codes from the secret the API gave,
as a phone would. Each code is of a time step later than the last one it gave, within the
step either side of now that the server accepts."""

from __future__ import annotations

import time

import httpx
import pyotp

from tests.conftest import Person

STEP = 30
# Not within this much of a step's end: the server must see the same step (or the next,
# still within its drift) as the one the code was computed for.
MARGIN = 1.0


class Authenticator:
    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last_step = -1

    def _now_step(self) -> int:
        while True:
            now = time.time()
            left = STEP - now % STEP
            step = int(now // STEP)
            if left > MARGIN and self.last_step < step + 1:
                return step
            # The clock must reach the next step first: that is the condition waited on.
            time.sleep(left + 0.05)

    def code(self) -> str:
        """A code the server has not seen yet (the earliest step it would still accept)."""
        step = self._now_step()
        self.last_step = max(self.last_step + 1, step - 1)
        return self.totp.generate_otp(self.last_step)

    def forged(self) -> str:
        """Six digits that are no code of any step the server would accept now."""
        step = int(time.time() // STEP)
        real = {self.totp.generate_otp(s) for s in range(step - 2, step + 3)}
        return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in real)


async def enable(client: httpx.AsyncClient, person: Person) -> tuple[Authenticator, list[str]]:
    """Turn two-factor sign-in on for `person`: their app and their recovery codes."""
    setup = await client.post("/api/users/me/two-factor/setup", headers=person.headers)
    assert setup.status_code == 200, setup.text
    app = Authenticator(setup.json()["secret"])
    confirmed = await client.post(
        "/api/users/me/two-factor/confirm", json={"code": app.code()}, headers=person.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return app, confirmed.json()["recovery_codes"]


async def login(client: httpx.AsyncClient, person: Person, **fields) -> httpx.Response:
    """POST /api/auth/login as `person`, with `fields` (code) added; from a fresh device."""
    client.cookies.clear()
    body = {"login": person.username, "password": person.password, **fields}
    return await client.post("/api/auth/login", json=body)

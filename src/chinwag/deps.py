"""FastAPI dependencies: the app context and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.errors import Unauthorized

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_caller(ctx: Ctx, token: Annotated[str | None, Depends(bearer)]) -> auth.Caller:
    if not token:
        raise Unauthorized(
            "Sign in first: send Authorization: Bearer <access token>",
            code="not_authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return await auth.authenticate(ctx, token)
    except Unauthorized as exc:
        exc.headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')
        raise


Caller = Annotated[auth.Caller, Depends(get_caller)]

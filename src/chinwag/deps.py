"""FastAPI dependencies: the app context, a database session per request, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from chinwag.accounts import auth
from chinwag.context import AppContext
from chinwag.errors import Unauthorized

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


async def get_db(ctx: Annotated[AppContext, Depends(get_ctx)]) -> AsyncIterator[AsyncSession]:
    async with ctx.sessionmaker() as session:
        yield session


Ctx = Annotated[AppContext, Depends(get_ctx)]
Db = Annotated[AsyncSession, Depends(get_db)]


async def get_caller(
    db: Db, ctx: Ctx, token: Annotated[str | None, Depends(bearer)]
) -> auth.Caller:
    if not token:
        raise Unauthorized(
            "Sign in first: send Authorization: Bearer <access token>",
            code="not_authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return await auth.authenticate(db, ctx, token)
    except Unauthorized as exc:
        exc.headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')
        raise


Caller = Annotated[auth.Caller, Depends(get_caller)]

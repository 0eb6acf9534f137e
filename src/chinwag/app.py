"""create_app(settings) -> FastAPI; the lifespan wires engine, broker, presence and mailer."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from chinwag import __version__, metrics
from chinwag.accounts.routes import auth_router, users_router
from chinwag.accounts.security import PasswordHasher
from chinwag.admin.routes import router as admin_router
from chinwag.apidocs import install_api_docs
from chinwag.bodylimit import BodyLimitMiddleware
from chinwag.chats.routes import router as chats_router
from chinwag.config import Settings, load_settings
from chinwag.context import AppContext
from chinwag.datadir import serving_from
from chinwag.db.database import open_database
from chinwag.db.migrate import upgrade
from chinwag.db.timed import TimedDatabase
from chinwag.errors import install_error_handlers
from chinwag.errortracking import init_error_tracking
from chinwag.files.routes import router as files_router
from chinwag.health import router as health_router
from chinwag.httpheaders import SecurityHeaders
from chinwag.limits import Buckets, MailLimiter, SendLimiter
from chinwag.logs import RequestLogMiddleware, configure_logging
from chinwag.mail import MailQueue, create_mailer
from chinwag.messages.routes import router as messages_router
from chinwag.methods import AllowedMethods
from chinwag.moderation.routes import admin_router as moderation_admin_router
from chinwag.moderation.routes import router as moderation_router
from chinwag.notifications.notifier import Notifier
from chinwag.notifications.routes import router as notifications_router
from chinwag.notifications.worker import keep_missed_messages
from chinwag.openapi import install_openapi
from chinwag.pins.routes import router as pins_router
from chinwag.realtime.brokers import create_broker
from chinwag.realtime.gateway import WS_PATH, websocket_endpoint
from chinwag.realtime.gateway import router as realtime_router
from chinwag.realtime.hub import Hub
from chinwag.realtime.presence import create_presence, keep_presence
from chinwag.realtime.service import announce_expired
from chinwag.realtime.sio_gateway import SIO_PATH, ChinwagSocketIO
from chinwag.retention.service import schedule_retention
from chinwag.scheduler import Scheduler
from chinwag.search.routes import router as search_router
from chinwag.serving import tune_garbage_collector
from chinwag.slashes import install_slash_redirects
from chinwag.sso.provider import OidcProvider
from chinwag.sso.routes import router as sso_router
from chinwag.twofactor.routes import router as two_factor_router
from chinwag.validation import refuse_unknown_query
from chinwag.webclient import install_web_client
from chinwag.workspace.routes import admin_router as workspace_admin_router
from chinwag.workspace.routes import public_router as workspace_router

log = logging.getLogger("chinwag")
METRICS_PERIOD = 1.0  # seconds between moving the tallies into the metrics

DESCRIPTION = """Self-hosted team chat. Sign in with **Authorize** (username or email and
password), then try any endpoint. Errors are `{"error": {"code", "message"}}`."""


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings: Settings = app.state.settings
    url = settings.resolved_database_url
    # Held from before migrating until stopped: `chinwag restore` refuses while it is.
    with serving_from(settings.data_dir):
        if settings.migrate_on_start:
            await asyncio.to_thread(upgrade, url)
        async with open_context(settings) as ctx:
            app.state.ctx = ctx
            tune_garbage_collector()
            log.info(
                "chinwag %s ready: open %s/ (database %s, broker %s)",
                __version__,
                settings.public_url,
                make_url(url).render_as_string(hide_password=True),
                settings.broker_url.split("@")[-1],
            )
            yield
            if app.state.socketio is not None:
                await app.state.socketio.shutdown()  # Engine.IO's sweeping task
    metrics.process_gone(os.getpid())


@asynccontextmanager
async def open_context(settings: Settings) -> AsyncIterator[AppContext]:
    """Engine, broker, presence, mailer and hasher for a server, a command or a benchmark."""
    db = TimedDatabase(open_database(settings.resolved_database_url))
    broker = create_broker(settings.broker_url, settings.redis_namespace)
    await broker.start()
    hub = Hub(broker, settings.ws_opening_at_once)
    ctx = AppContext(
        settings=settings,
        db=db,
        broker=broker,
        presence=create_presence(broker, settings.presence_ttl),
        mail=MailQueue(create_mailer(settings.smtp_url, settings.data_dir)),
        hasher=PasswordHasher(
            settings.password_time_cost,
            settings.password_memory_kib,
            concurrency=settings.password_hash_concurrency,
            queue=settings.password_hash_queue,
        ),
        hub=hub,
        limiter=SendLimiter(
            settings.ws_rate_per_second, settings.ws_rate_burst, settings.ws_flood_after
        ),
        notifier=Notifier(settings.data_dir),
        auth_buckets=(
            Buckets(settings.auth_rate_per_minute / 60, settings.auth_rate_burst)
            if settings.http_rate_limits
            else None
        ),
        mail_limiter=MailLimiter(
            settings.email_verification_resends_per_hour, per_address=settings.http_rate_limits
        ),
        scheduler=Scheduler(),
        oidc=OidcProvider(settings) if settings.sso_enabled else None,
    )
    schedule_retention(ctx, ctx.scheduler)
    await hub.start()
    await ctx.presence.start(lambda user_id: announce_expired(ctx, user_id))
    keepers = [
        asyncio.create_task(keep_presence(ctx), name="presence-keeper"),
        asyncio.create_task(keep_metrics(hub), name="metrics-keeper"),
        asyncio.create_task(keep_missed_messages(ctx), name="missed-message-mailer"),
    ]
    ctx.scheduler.start()
    try:
        yield ctx
    finally:
        await ctx.scheduler.stop()
        for keeper in keepers:
            keeper.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        await hub.close_all()
        await ctx.notifier.drain()
        await ctx.mail.drain()
        await ctx.presence.close()
        await broker.close()
        await db.close()


async def keep_metrics(hub: Hub) -> None:
    """Move the delivery tallies into their counters and set the socket gauges, each second
    (with several processes, a scrape reads what each one wrote last)."""
    try:
        while True:
            await asyncio.sleep(METRICS_PERIOD)  # a period, not a synchronisation
            metrics.flush(hub)
    finally:
        metrics.flush(hub)


class ChinwagApp(FastAPI):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == WS_PATH:
            # Straight to the gateway: the HTTP middlewares pass a socket through untouched,
            # but each would hold a coroutine frame for the socket's whole life (~10 of them,
            # with the router's) and wrap every send it makes.
            scope["app"] = self
            await websocket_endpoint(WebSocket(scope, receive, send))
            return
        if scope["type"] != "lifespan" and _is_socketio(scope["path"]):
            sio = self.state.socketio
            if sio is not None:  # else a 404 as for any path we don't serve
                await sio.handle_request(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's ServerErrorMiddleware (which Starlette puts outside every
        # middleware added): the 500 it answers for an unhandled exception gets the headers too.
        return SecurityHeaders(super().build_middleware_stack(), self.state.settings)


def _is_socketio(path: str) -> bool:
    return path.startswith(SIO_PATH) or path == SIO_PATH[:-1]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_repeats_per_minute)
    init_error_tracking(settings)
    app = ChinwagApp(
        title="chinwag",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's pages load Swagger UI and ReDoc from a CDN: ours are served locally
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # /socket.io/ (CHINWAG_SOCKETIO): the same protocol and hub as /ws, for socket.io-client
    app.state.socketio = ChinwagSocketIO(app) if settings.socketio else None
    install_error_handlers(app)
    for router in (
        auth_router,
        admin_router,
        workspace_admin_router,
        workspace_router,
        moderation_router,
        moderation_admin_router,
        two_factor_router,
        users_router,
        chats_router,
        messages_router,
        pins_router,
        files_router,
        search_router,
        notifications_router,
        health_router,
    ):
        app.include_router(router, dependencies=[Depends(refuse_unknown_query)])
    app.include_router(realtime_router)  # /ws reads ?token= itself
    # The provider's answer carries parameters of its own choosing (iss, session_state, ...).
    app.include_router(sso_router)
    app.add_middleware(AllowedMethods)  # innermost: its 405s get the security headers and a log
    install_web_client(app)
    install_api_docs(app)
    install_slash_redirects(app)
    install_openapi(app)
    # A message of the configured length always fits, however its JSON escapes it (12 bytes
    # for a character written as a pair of \uXXXX escapes).
    body_limit = max(settings.http_max_body_bytes, 12 * settings.message_max_chars + 16 * 1024)
    app.add_middleware(BodyLimitMiddleware, max_bytes=body_limit)
    app.add_middleware(RequestLogMiddleware)
    return app

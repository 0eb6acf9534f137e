"""The `chinwag` command: serve, doctor, backup, restore, db upgrade, users create."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer
from pydantic import ValidationError

from chinwag.config import Settings, SettingsError, load_settings

app = typer.Typer(
    help="chinwag: self-hostable real-time team chat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST", help="Address to listen on"),
    port: int = typer.Option(8000, envvar="PORT", help="Port to listen on"),
    workers: int = typer.Option(1, min=1, help="Processes; more than 1 needs a Redis broker"),
    certfile: str = typer.Option(
        None, help="Serve HTTPS with this PEM certificate chain (CHINWAG_TLS_CERTFILE)"
    ),
    keyfile: str = typer.Option(None, help="Its PEM private key (CHINWAG_TLS_KEYFILE)"),
    forwarded_allow_ips: str = typer.Option(
        None,
        help="Proxies trusted for X-Forwarded-For/-Proto: addresses or networks, comma-"
        "separated, or '*' (CHINWAG_FORWARDED_ALLOW_IPS; default none)",
    ),
    metrics_port: int = typer.Option(
        None, help="Serve /metrics on this port, without a token (CHINWAG_METRICS_PORT)"
    ),
) -> None:
    """Apply migrations, then serve the API and the web client."""
    import uvicorn

    from chinwag import metrics
    from chinwag.db.migrate import upgrade
    from chinwag.serving import raise_descriptor_limit, uvicorn_options

    _put_in_environment(
        CHINWAG_TLS_CERTFILE=certfile,
        CHINWAG_TLS_KEYFILE=keyfile,
        CHINWAG_FORWARDED_ALLOW_IPS=forwarded_allow_ips,
        CHINWAG_METRICS_PORT=None if metrics_port is None else str(metrics_port),
    )
    settings, served = _serving_settings(host, port)
    if workers > 1 and not settings.broker_url.startswith(("redis://", "rediss://")):
        typer.secho(
            "--workers > 1 needs a shared broker: set CHINWAG_BROKER_URL=redis://host:6379/0 "
            "(with the memory broker, users on different workers would not see each other).",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    settings.signing_key  # noqa: B018 - create the development key once, before workers fork
    upgrade(settings.resolved_database_url)
    os.environ["CHINWAG_MIGRATE_ON_START"] = "false"  # done above, once for all workers
    if workers > 1:
        metrics.share_between_processes()  # any worker's /metrics then answers for all
    descriptors = raise_descriptor_limit()
    typer.echo(
        f"chinwag listening on {served} (open-file limit {descriptors}); "
        f"open {settings.public_url}/ in a browser, API docs at {settings.public_url}/docs"
    )
    if settings.metrics_port:
        metrics.serve_on_port(settings.metrics_port, settings.metrics_host)
        typer.echo(f"metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics")
    uvicorn.run(
        "chinwag.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=10,
        **uvicorn_options(settings),
    )


def _put_in_environment(**values: str | None) -> None:
    # Options become the settings' variables: every worker reads them from the environment.
    for name, value in values.items():
        if value is not None:
            os.environ[name] = value


def _serving_settings(host: str, port: int) -> tuple[Settings, str]:
    """The settings to serve with, and the address served. An unset CHINWAG_PUBLIC_URL
    becomes that address, so links in mails point where this server is (and every worker,
    started from the environment, agrees)."""
    from chinwag.serving import served_url

    settings = _settings()
    served = served_url(host, port, tls=settings.serves_tls)
    if "public_url" not in settings.model_fields_set:
        os.environ["CHINWAG_PUBLIC_URL"] = served
        settings = _settings()
    return settings, served


@app.command()
def doctor() -> None:
    """Check the configuration and the services it names (database, broker, SMTP, public
    URL and origins, secret key); say what to fix. Exits 1 when something would not work."""
    from chinwag.doctor import diagnose, exit_code, report

    findings = asyncio.run(diagnose(_settings()))
    typer.echo(report(findings))
    code = exit_code(findings)
    if code:
        typer.secho("chinwag doctor: fix the lines marked fail", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command("backup")
def backup_command(
    path: Path = typer.Argument(..., help="A new (or empty) folder to write the backup to"),
) -> None:
    """Back the SQLite database up while the server runs (SQLite's online backup API),
    with the uploaded files alongside. For PostgreSQL use pg_dump (README, Backups)."""
    from chinwag.backup import BackupError, backup

    try:
        summary = backup(_settings(), path)
    except BackupError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    counts = ", ".join(f"{n} {table}" for table, n in summary.counts.items())
    typer.echo(f"backup written to {summary.path}: {counts}; {summary.files} stored files")


@app.command("restore")
def restore_command(
    path: Path = typer.Argument(..., help="A folder written by chinwag backup"),
    replace: bool = typer.Option(
        False, "--replace", help="Replace an existing database (moved aside, not deleted)"
    ),
) -> None:
    """Put a backup in place of the configured SQLite database and files. Stop the server
    first; the next start applies any newer migrations."""
    from chinwag.backup import BackupError, restore

    try:
        summary = restore(_settings(), path, replace=replace)
    except BackupError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    counts = ", ".join(f"{n} {table}" for table, n in summary.counts.items())
    typer.echo(f"restored {summary.path}: {counts}; {summary.files} stored files")
    if summary.moved_aside:
        typer.echo(f"the database and files it replaced are in {summary.moved_aside}")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Bring the database schema up to date."""
    from chinwag.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


@users_app.command("create")
def users_create(
    email: str,
    username: str,
    password: str = typer.Option(None, help="Prompted for when not given"),
    site_admin: bool = typer.Option(False, "--site-admin", help="Make a site administrator"),
    display_name: str = typer.Option(None, help="Defaults to the username"),
) -> None:
    """Create an account."""
    from chinwag.accounts.schemas import RegisterIn

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = RegisterIn(
            email=email, username=username, password=password, display_name=display_name
        )
    except ValidationError as exc:
        for err in exc.errors():
            typer.secho(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None
    user_id = asyncio.run(_create_user(_settings(), data, site_admin))
    typer.echo(f"created user {user_id} ({username})")


async def _create_user(settings: Settings, data, site_admin: bool) -> int:
    from chinwag.accounts.service import create_user
    from chinwag.app import open_context
    from chinwag.db.migrate import upgrade
    from chinwag.errors import ChinwagError
    from chinwag.workspace.service import admission

    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    async with open_context(settings) as ctx:
        try:
            welcome = admission(ctx, None)  # the default groups (the first account founds them)
            # Made by the operator: the address counts as verified.
            user = await create_user(ctx, data, site_admin=site_admin, admit=welcome, verified=True)
            return user.id
        except ChinwagError as exc:
            typer.secho(exc.message, fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None


@users_app.command("deactivate")
def users_deactivate(login: str = typer.Argument(help="Username or email")) -> None:
    """Deactivate an account: its sessions end, it can't sign in (audited)."""
    _admin_change(login, "deactivate")
    typer.echo(f"deactivated {login}")


@users_app.command("reactivate")
def users_reactivate(login: str = typer.Argument(help="Username or email")) -> None:
    """Let a deactivated account sign in again (audited)."""
    _admin_change(login, "reactivate")
    typer.echo(f"reactivated {login}")


@users_app.command("site-admin")
def users_site_admin(
    login: str = typer.Argument(help="Username or email"),
    off: bool = typer.Option(False, "--off", help="Unmake instead"),
) -> None:
    """Make (or with --off unmake) a site administrator (audited)."""
    _admin_change(login, "site_admin_off" if off else "site_admin_on")
    typer.echo(f"{login} is {'no longer ' if off else ''}a site administrator")


def _admin_change(login: str, change: str) -> None:
    asyncio.run(_run_admin_change(_settings(), login, change))


async def _run_admin_change(settings: Settings, login: str, change: str) -> None:
    from chinwag.accounts.store import find_user_by_login
    from chinwag.admin import service
    from chinwag.app import open_context
    from chinwag.db.migrate import upgrade
    from chinwag.errors import ChinwagError

    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    async with open_context(settings) as ctx:
        user = await ctx.db.read(find_user_by_login, login)
        if user is None:
            typer.secho(f"no account {login}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        changes = {
            "deactivate": lambda: service.deactivate(ctx, None, user.id),
            "reactivate": lambda: service.reactivate(ctx, None, user.id),
            "site_admin_on": lambda: service.set_site_admin(ctx, None, user.id, True),
            "site_admin_off": lambda: service.set_site_admin(ctx, None, user.id, False),
        }
        try:
            await changes[change]()
        except ChinwagError as exc:
            typer.secho(exc.message, fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None


if __name__ == "__main__":
    app()

"""The `chinwag` command: serve, doctor, backup, restore, db upgrade, and the operator's twins
of the admin page (users, workspace, invitations, audit, groups retention)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

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
workspace_app = typer.Typer(help="The workspace's settings.", no_args_is_help=True)
invitations_app = typer.Typer(help="Invitation links.", no_args_is_help=True)
groups_app = typer.Typer(help="Groups.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(workspace_app, name="workspace")
app.add_typer(invitations_app, name="invitations")
app.add_typer(groups_app, name="groups")


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
    data = _valid(
        RegisterIn, email=email, username=username, password=password, display_name=display_name
    )
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


@users_app.command("reset-two-factor")
def users_reset_two_factor(login: str = typer.Argument(help="Username or email")) -> None:
    """Turn an account's two-factor sign-in off (a lost phone): it signs in with its password
    alone, then sets up anew if the workspace requires it (audited)."""
    _admin_change(login, "reset_two_factor")
    typer.echo(f"two-factor sign-in of {login} is reset")


def _admin_change(login: str, change: str) -> None:
    asyncio.run(_run_admin_change(_settings(), login, change))


async def _run_admin_change(settings: Settings, login: str, change: str) -> None:
    from chinwag.accounts.store import find_user_by_login
    from chinwag.admin import service
    from chinwag.app import open_context
    from chinwag.db.migrate import upgrade
    from chinwag.errors import ChinwagError
    from chinwag.twofactor import service as two_factor

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
            "reset_two_factor": lambda: two_factor.reset(ctx, None, user.id),
        }
        try:
            await changes[change]()
        except ChinwagError as exc:
            typer.secho(exc.message, fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None


# The operator's twins of the admin page. Each goes through the service functions the API
# routes call, with no account as the actor: the audit log records actor_id null, which the
# admin page shows as "The command line" (as for `chinwag users ...`).


def _valid(model, **values):
    """`model` made of the options, with the API's own bounds; exit 2 naming what is wrong."""
    try:
        return model(**values)
    except ValidationError as exc:
        for err in exc.errors():
            typer.secho(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _operate(action: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `action(ctx)` on the configured database (migrated first); a refusal of the
    service layer is said on stderr, exit 1."""
    return asyncio.run(_operating(_settings(), action))


async def _operating(settings: Settings, action: Callable[[Any], Awaitable[Any]]) -> Any:
    from chinwag.app import open_context
    from chinwag.db.migrate import upgrade
    from chinwag.errors import ChinwagError

    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    async with open_context(settings) as ctx:
        try:
            return await action(ctx)
        except ChinwagError as exc:
            _fail(exc.message)


async def _group_id(ctx, name: str) -> int:
    """A group named by its name (any case) or as #ID (two groups may share a name)."""
    from chinwag.chats.service import groups_named

    if name.startswith("#") and name[1:].isdigit():
        return int(name[1:])
    found = await groups_named(ctx, name)
    if not found:
        _fail(f"no group {name}")
    if len(found) > 1:
        ids = ", ".join(f"#{group.id}" for group in found)
        _fail(f"several groups are called {name} ({ids}): name one as #ID")
    return found[0].id


async def _group_names(ctx, chat_ids: list[int]) -> dict[int, str]:
    from chinwag.workspace.service import groups

    return {group.id: group.name for group in await groups(ctx, chat_ids)}


def _named(ids: list[int], names: dict[int, str]) -> str:
    return ", ".join(f"{names.get(i, '(deleted)')} (#{i})" for i in ids) or "none"


async def _show_workspace(ctx, settings) -> None:
    names = await _group_names(ctx, settings.default_group_ids)
    typer.echo(f"name: {settings.name}")
    typer.echo(f"registration: {settings.registration}")
    typer.echo(f"default groups: {_named(settings.default_group_ids, names)}")
    typer.echo(f"public groups by: {settings.public_groups_by}")


@workspace_app.command("show")
def workspace_show() -> None:
    """Print the workspace's settings."""
    from chinwag.workspace.service import current

    async def show(ctx) -> None:
        await _show_workspace(ctx, await current(ctx))

    _operate(show)


@workspace_app.command("set")
def workspace_set(
    name: str = typer.Option(None, help="The workspace's name"),
    registration: str = typer.Option(None, help="Who may sign up: open, invite_only, closed"),
    default_group: list[str] = typer.Option(
        None,
        "--default-group",
        help="A group every newcomer joins, by name or #ID (repeat for more; replaces the list)",
    ),
    no_default_groups: bool = typer.Option(
        False, "--no-default-groups", help="Newcomers join no group"
    ),
    public_groups_by: str = typer.Option(
        None, help="Who may create public groups: everyone, admins"
    ),
) -> None:
    """Change workspace settings (audited); prints them as they are then."""
    from chinwag.workspace.schemas import WorkspacePatch
    from chinwag.workspace.service import change

    if default_group and no_default_groups:
        typer.secho("--default-group or --no-default-groups, not both", fg="red", err=True)
        raise typer.Exit(2)
    patch = _valid(
        WorkspacePatch, name=name, registration=registration, public_groups_by=public_groups_by
    )
    changes = patch.model_dump(exclude_none=True)
    if not changes and not default_group and not no_default_groups:
        typer.secho("nothing to change: see chinwag workspace set --help", fg="red", err=True)
        raise typer.Exit(2)

    async def apply(ctx) -> None:
        if default_group or no_default_groups:
            ids = [await _group_id(ctx, group) for group in default_group or []]
            _valid(WorkspacePatch, default_group_ids=ids)  # the API's bound on how many
            changes["default_group_ids"] = ids
        await _show_workspace(ctx, await change(ctx, None, changes))

    _operate(apply)


@invitations_app.command("create")
def invitations_create(
    email: str = typer.Option(None, help="Only this address may use it; the link is mailed to it"),
    days: int = typer.Option(7, help="Valid for this many days (1-30)"),
    max_uses: int = typer.Option(1, help="Sign-ups it allows (1-10000)"),
    unlimited: bool = typer.Option(False, "--unlimited", help="Any number of sign-ups"),
    group: list[str] = typer.Option(
        None, "--group", help="A group the newcomer joins, by name or #ID (repeat for more)"
    ),
) -> None:
    """Make an invitation link (audited) and print it: it is shown only this once."""
    from chinwag.workspace.schemas import InvitationIn
    from chinwag.workspace.service import invite

    data = _valid(
        InvitationIn, email=email, max_uses=None if unlimited else max_uses, expires_in_days=days
    )

    async def create(ctx) -> None:
        ids = [await _group_id(ctx, name) for name in group or []]
        _valid(InvitationIn, chat_ids=ids)  # the API's bound on how many
        invitation_id, link, expires_at = await invite(
            ctx, None, data.email, data.max_uses, data.expires_in_days, ids
        )
        typer.echo(f"invitation {invitation_id}, valid until {expires_at:%Y-%m-%d %H:%M} UTC:")
        typer.echo(link)

    _operate(create)


def _invitation_state(row, now) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= now:
        return "expired"
    if row.max_uses is not None and row.uses >= row.max_uses:
        return "used up"
    return "valid"


@invitations_app.command("list")
def invitations_list() -> None:
    """Print every invitation, newest first: id, state, address, uses, expiry, groups."""
    from chinwag.db.base import utcnow
    from chinwag.workspace.service import invitations

    async def listing(ctx) -> None:
        rows = await invitations(ctx)
        names = await _group_names(ctx, sorted({i for row in rows for i in row.chat_ids or []}))
        now = utcnow()
        for row in rows:
            uses = f"{row.uses}/{'any' if row.max_uses is None else row.max_uses}"
            by = f"@{row.inviter}" if row.inviter else "command line"
            typer.echo(
                f"#{row.id}\t{_invitation_state(row, now)}\t{row.email or 'anyone'}\t"
                f"uses {uses}\texpires {row.expires_at:%Y-%m-%d %H:%M}\t"
                f"groups: {_named(row.chat_ids or [], names)}\tby {by}"
            )
        if not rows:
            typer.echo("no invitations")

    _operate(listing)


@invitations_app.command("revoke")
def invitations_revoke(invitation_id: int = typer.Argument(..., min=1, help="Its id")) -> None:
    """Revoke an invitation: its link stops working (audited)."""
    from chinwag.workspace.service import revoke

    _operate(lambda ctx: revoke(ctx, None, invitation_id))
    typer.echo(f"revoked invitation {invitation_id}")


@app.command("audit")
def audit_command(
    limit: int = typer.Option(20, min=1, max=1000, help="How many entries"),
    before: int = typer.Option(None, min=1, help="Entries older than this id"),
) -> None:
    """Print the audit log, newest first: id, when, who, what, to whom, details."""
    from chinwag.admin.service import audit_page

    async def show(ctx) -> None:
        entries = await audit_page(ctx, before, limit)
        for entry in entries:
            who = (
                f"@{entry.actor_username}"
                if entry.actor_username
                else ("command line" if entry.actor_id is None else "(deleted account)")
            )
            target = f"\t@{entry.target}" if entry.target else ""
            details = json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True)
            typer.echo(
                f"#{entry.id}\t{entry.created_at:%Y-%m-%d %H:%M:%S}\t{who}\t{entry.action}"
                f"{target}\t{details}"
            )
        if not entries:
            typer.echo("nothing recorded")

    _operate(show)


@groups_app.command("retention")
def groups_retention(
    group: str = typer.Argument(..., help="The group's name, or #ID"),
    days: str = typer.Argument(..., help="Days to keep its messages, or off (the workspace's)"),
) -> None:
    """Keep a group's messages for fewer days than the workspace does, or (off) as long as
    the workspace does: the owner's setting, from the command line (announced, audited)."""
    from chinwag.chats.schemas import ChatPatch
    from chinwag.chats.service import set_retention_as_operator

    if days.lower() != "off" and not days.isdigit():
        typer.secho("days: a whole number of days, or off", fg="red", err=True)
        raise typer.Exit(2)
    wanted = None if days.lower() == "off" else _valid(ChatPatch, retention_days=int(days))

    async def apply(ctx) -> None:
        chat_id = await _group_id(ctx, group)
        kept = None if wanted is None else wanted.retention_days
        chat = await set_retention_as_operator(ctx, chat_id, kept)
        if chat.retention_days is None:
            limit = ctx.settings.retention_days
            rule = f"{limit} days" if limit else "forever"
            typer.echo(f"{chat.name} (#{chat.id}) keeps messages as the workspace does ({rule})")
        else:
            typer.echo(f"{chat.name} (#{chat.id}) keeps messages for {chat.retention_days} days")

    _operate(apply)


if __name__ == "__main__":
    app()

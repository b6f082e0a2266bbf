"""`flask users …`: manage accounts from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ..infra.db import db
from ..infra.progress import Progress
from ..models import Import, Role, RowStatus, User
from ..services import accounts, imports, refresh, roles
from ..services.imports import export, runner
from ..services.imports.files import megabytes
from .database import needs_migrated_database


@click.group("users", help="Manage user accounts.")
def group() -> None:
    """Manage user accounts."""


@group.command("create")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--username", required=True, help="The public username.")
@click.option("--admin", is_flag=True, help="Give the account operator rights.")
@click.password_option(help="Asked for with a hidden prompt when not given.")
@needs_migrated_database
def create(email: str, username: str, admin: bool, password: str) -> None:
    """Create an account with a confirmed email."""
    try:
        user = accounts.create(
            email=email, username=username, password=password, admin=admin, confirmed=True
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {user.username} <{user.email}>.")


@group.command("list")
@needs_migrated_database
def list_users() -> None:
    """Every account: username, email, and whether it is confirmed, editor or admin, two-factor."""
    users = db.session.scalars(select(User).order_by(User.username_key)).all()
    if not users:
        click.echo("No accounts yet. Create one with `flask users create`.")
        return
    width = max(len(user.username) for user in users)
    for user in users:
        flags = [
            "confirmed" if user.email_confirmed else "unconfirmed",
            *([user.role.value] if user.role is not Role.member else []),
            *(["2fa"] if user.two_factor_enabled else []),
            *([] if user.active else ["deactivated"]),
        ]
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        click.echo(f"{user.username:<{width}}  {user.email}  {', '.join(flags)}  last login {last}")


@group.command("set-password")
@click.argument("username")
@click.password_option(help="Asked for with a hidden prompt when not given.")
@needs_migrated_database
def set_password(username: str, password: str) -> None:
    """Give an account a new password; its sessions end."""
    user = _user_called(username)
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Set a new password for {user.username}; their sessions have ended.")


@group.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@needs_migrated_database
def set_role(username: str, role: str) -> None:
    """Make an account a member, an editor (edits the catalog) or an admin (also gives roles)."""
    user = _user_called(username)
    try:
        changed = roles.set_role(user=user, role=Role(role))
    except roles.RoleError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    article = "an" if role in ("editor", "admin") else "a"
    click.echo(f"{user.username} is {'now' if changed else 'already'} {article} {role}.")


def _user_called(username: str) -> User:
    """The account with this username, or a clean error naming it."""
    user = accounts.get_by_username(username)
    if user is None:
        raise click.ClickException(f"There is no user called {username}.")
    return user


@group.command("import")
@click.argument("username")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and match every row, save nothing.")
@needs_migrated_database
def import_history(username: str, file: Path, dry_run: bool) -> None:
    """Import a Letterboxd or IMDb export into an account, as the import page does."""
    user = _user_called(username)
    max_bytes = current_app.config["IMPORT_MAX_MB"] * 1024 * 1024
    if file.stat().st_size > max_bytes:
        size = megabytes(file.stat().st_size)
        limit = current_app.config["IMPORT_MAX_MB"]
        raise click.ClickException(
            f"{file} is {size}: the largest import is {limit} MB (IMPORT_MAX_MB)."
        )
    imported = Import(
        user=user, filename=file.name, size=file.stat().st_size, upload=file.read_bytes()
    )
    db.session.add(imported)
    db.session.flush()
    reporter = _TerminalReporter()
    runner.run(imported, reporter=reporter, commit=not dry_run)
    reporter.finish()
    lines = imports.summary_lines(imported)
    if not dry_run and imported.error is None and refresh.tmdb_configured():
        lines += _look_up_on_tmdb(imported, reporter)
    if dry_run:
        db.session.rollback()
        lines.insert(0, "Dry run: nothing was saved. It would go like this:")
    for line in lines:
        click.echo(line)
    if imported.error:
        raise SystemExit(1)


def _look_up_on_tmdb(imported: Import, reporter: _TerminalReporter) -> list[str]:
    """The films left in the queue, looked for on TMDB here and now (the page uses a job)."""
    from seeder import lookup, sync
    from seeder.tmdb import TMDBError

    if not imports.counts(imported)[RowStatus.queued]:
        return []
    try:
        refresher = sync.from_app(current_app, reporter=reporter)
        limit = current_app.config["IMPORT_TMDB_LOOKUPS"]
        found = lookup.look_up_queued(imported, refresher, limit=limit)
    except TMDBError as error:
        db.session.rollback()
        return [f"Could not look for the unmatched films on TMDB: {error}"]
    reporter.finish()
    return found.lines()


class _TerminalReporter:
    """The import's progress as a line on the terminal."""

    def __init__(self) -> None:
        self._progress: Progress | None = None

    def start(self, total: int | None, message: str | None = None) -> None:
        self.finish()
        self._progress = Progress(message or "Importing", total)

    def advance(self, count: int = 1, message: str | None = None) -> None:
        if self._progress is not None:
            self._progress.advance(count)

    def note(self, message: str) -> None:
        pass

    def finish(self) -> None:
        if self._progress is not None and self._progress.total:
            self._progress.finish()
        self._progress = None


@group.command("export")
@click.argument("username")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the zip (default: its own name, here).",
)
@needs_migrated_database
def export_data(username: str, output: Path | None) -> None:
    """Write everything an account owns to a zip, as "Download my data" does."""
    user = _user_called(username)
    name, content = export.build(user)
    target = output or Path(name)
    try:
        target.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Cannot write {target}: {error.strerror}.") from None
    click.echo(f"Wrote {target} ({megabytes(len(content))}).")

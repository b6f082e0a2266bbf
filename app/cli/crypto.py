"""`flask crypto …`: the master key, instance/.env.crypto, data keys, encrypted columns.

Registered as a Flask plugin command too (pyproject.toml), so it runs when the
app itself cannot start: that is when an operator needs it most. Commands that
touch the database load the app; the others need only the instance folder.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app, has_app_context
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..infra import config, crypto, files
from ..infra.crypto import CryptoError, EncryptedEnvironment
from ..infra.db import db, schema_problem
from ..services import encryption
from .database import needs_migrated_database

T = TypeVar("T")


@click.group("crypto", help="Manage encrypted secrets and the keys behind them.")
def group() -> None:
    """Manage encrypted secrets and the keys behind them."""


def _instance() -> Path:
    if has_app_context():
        return Path(current_app.instance_path)
    return config.instance_folder()


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """Turn a CryptoError into a clean CLI error (exit 1, no traceback)."""
    try:
        yield
    except CryptoError as error:
        raise click.ClickException(str(error)) from None


def _open(instance: Path) -> EncryptedEnvironment:
    path = crypto.secrets_path(instance)
    if not path.exists():
        raise CryptoError(f"{path} does not exist yet: run `flask crypto init` first.")
    return EncryptedEnvironment.open(path, crypto.read_master_key(instance))


@contextlib.contextmanager
def _changing() -> Iterator[EncryptedEnvironment]:
    """The environment, locked against other writers, saved if the block succeeds."""
    instance = _instance()
    with _reported(), crypto.locked(instance):
        environment = _open(instance)
        yield environment
        if environment.changed:
            environment.save()


@group.command("init")
@click.option("--if-missing", is_flag=True, help="Succeed quietly when already set up.")
def init(if_missing: bool) -> None:
    """Create the master key, .env.crypto, the first data key and SECRET_KEY.

    An install's existing SECRET_KEY (FLASK_SECRET_KEY, or one in
    instance/config.*.json, production's first) is kept, encrypted, so
    sessions and every server sharing it stay valid; otherwise a new one is
    generated. Refuses where the database already holds encrypted values.
    """
    instance = _instance()
    path = crypto.secrets_path(instance)
    with _reported():
        outcome = encryption.set_up(instance=instance, if_missing=if_missing, in_app=_in_app)
    if outcome is None:
        click.echo(f"Encrypted secrets already set up in {path}.")
        return
    setup, found = outcome.setup, outcome.found
    adopted, unchecked = outcome.adopted, outcome.unchecked
    if setup.created_key_file:
        click.echo(f"Created the master key {setup.master.source} (mode 0600).")
    else:
        click.echo(f"Using the master key from {setup.master.source}.")
    if adopted:
        click.echo(f"Created {path} with data key v1 and the SECRET_KEY from {adopted.source}.")
    else:
        click.echo(f"Created {path} with data key v1 and a new SECRET_KEY.")
        for weak in found:
            click.echo(f"The SECRET_KEY from {weak.source} was too short to keep; replaced.")
        click.echo(
            "If your app servers set FLASK_SECRET_KEY where this shell cannot see it, store "
            "that value instead: `flask crypto set SECRET_KEY`."
        )
    for stale in found:
        if stale.path:
            click.echo(f"Removed the plaintext SECRET_KEY from {stale.path}.")
        else:
            click.echo("Remove FLASK_SECRET_KEY from the environment: the encrypted one wins.")
    if unchecked:
        click.echo(
            f"Could not look for encrypted values in the database ({unchecked}). If other "
            "servers already use it, copy their instance/.env.crypto and master key here "
            "instead of this new setup."
        )
    click.echo(
        "Back up the master key apart from .env.crypto and the database: "
        "without it nothing encrypted can be read."
    )


def _read_value(name: str) -> str:
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(f"Value for {name}", hide_input=True, confirmation_prompt=True)
    value = stdin.read()
    return value[:-1] if value.endswith("\n") else value


@group.command("set")
@click.argument("name")
def set_secret(name: str) -> None:
    """Store NAME; the value comes from a hidden prompt or standard input."""
    with _reported():
        crypto.check_secret_name(name)
    value = _read_value(name).removesuffix("\r")
    if not value:
        raise click.ClickException(f"No value given for {name}; nothing changed.")
    with _changing() as environment:
        environment.set(name, value)
    click.echo(f"Set {name} in {environment.path}. Restart Marquee for it to take effect.")
    if not config.is_known_setting(name):
        click.echo(f"Note: Marquee reads no setting called {name}; check the spelling.")


@group.command("get")
@click.argument("name")
@click.option("--reveal", is_flag=True, help="Print the value itself.")
def get_secret(name: str, reveal: bool) -> None:
    """Say whether NAME is set; print it only with --reveal."""
    with _reported():
        crypto.check_secret_name(name)
        environment = _open(_instance())
    value = environment.get(name)
    if value is None:
        raise click.ClickException(f"{name} is not set in {environment.path}.")
    if reveal:
        click.echo(value)
    else:
        click.echo(f"{name} is set ({len(value)} characters). Add --reveal to print it.")


@group.command("unset")
@click.argument("name")
def unset_secret(name: str) -> None:
    """Remove NAME."""
    with _changing() as environment:
        removed = environment.unset(name)
    if not removed:
        raise click.ClickException(f"{name} is not set in {environment.path}; nothing changed.")
    click.echo(f"Removed {name} from {environment.path}.")


@group.command("list")
def list_secrets() -> None:
    """The names of the secrets held (never their values)."""
    with _reported():
        environment = _open(_instance())
    names = list(environment.secrets())
    if not names:
        click.echo(f"No secrets in {environment.path}.")
    for name in names:
        click.echo(name)


@group.command("rotate")
def rotate() -> None:
    """Make a new data key version active; older ones stay for reading."""
    with _changing() as environment:
        version = environment.add_data_key()
    click.echo(
        f"Data key v{version} is now active; running app servers use it from their next "
        "write. Run `flask crypto reencrypt` to move existing rows, then `flask crypto prune` "
        "to drop the old keys."
    )


@group.command("reencrypt")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
@needs_migrated_database
def reencrypt(batch_size: int) -> None:
    """Re-encrypt every encrypted column with the active data key, in batches.

    Each batch is committed on its own, so an interrupted run loses nothing and
    the next run carries on where it stopped.
    """
    with _reported():
        environment = _open(_instance())
        try:
            outcome = encryption.reencrypt(
                environment, batch_size=batch_size, commit=db.session.commit
            )
        except encryption.ReencryptionInterruptedError:
            db.session.rollback()
            raise
    _echo_counts(outcome.counts, outcome.active)
    if outcome.unreadable:
        listed = "; ".join(
            f"{name}: ids {_some(keys)}" for name, keys in outcome.unreadable.items()
        )
        raise click.ClickException(
            f"Some rows could not be decrypted and were left as they are ({listed}). "
            "They were altered, or need a data key this file does not hold."
        )
    if outcome.stale:
        raise click.ClickException(
            f"{outcome.stale:,} rows were written with an older key while this ran. "
            "Run `flask crypto reencrypt` again."
        )
    click.echo(f"Every row now uses data key v{outcome.active}.")


def _some(keys: list[int], shown: int = 10) -> str:
    text = ", ".join(str(key) for key in keys[:shown])
    return text + (f" and {len(keys) - shown} more" if len(keys) > shown else "")


def _echo_counts(counts: list[encryption.ColumnCounts], active: int | None) -> None:
    for column in counts:
        parts = [
            f"v{version}{' (active)' if version == active else ''}: {rows:,}"
            for version, rows in column.by_version.items()
        ]
        if column.other:
            parts.append(f"unreadable: {column.other:,}")
        click.echo(f"  {column.column}: {', '.join(parts) or 'no data keys'}")


@group.command("prune")
@with_appcontext
@needs_migrated_database
def prune() -> None:
    """Remove data key versions no row uses; refuse while any row still does."""
    with _changing() as environment:
        active = environment.active_version
        retired = [version for version in environment.data_keys() if version != active]
        totals = encryption.total_per_version(encryption.rows_per_version(retired))
        in_use = {version: rows for version, rows in totals.items() if rows}
        if in_use:
            listed = ", ".join(f"v{version} by {rows:,} rows" for version, rows in in_use.items())
            raise CryptoError(
                f"Nothing pruned: {listed} still in use. "
                "Run `flask crypto reencrypt` first, then prune again."
            )
        removed = [environment.remove_data_key(version) for version in retired]
        archive = crypto.archive_pruned_keys(environment, removed) if removed else None
    if not retired:
        click.echo(f"Nothing to prune: v{active} is the only data key.")
        return
    names = ", ".join(f"v{version}" for version in retired)
    click.echo(f"Removed data keys {names}; v{active} remains.")
    click.echo(
        f"Their wrapped copies are in {archive}, in case a database backup still needs them: "
        "keep it with those backups, or delete it."
    )


@group.command("rekey")
@click.option("--finish", is_flag=True, help="Complete a rekey that was interrupted.")
def rekey(finish: bool) -> None:
    """Wrap every value in .env.crypto under a new master key."""
    instance = _instance()
    with _reported(), crypto.locked(instance):
        outcome = crypto.finish_rekey(instance) if finish else crypto.rekey(_open(instance))
    for line in outcome.instructions():
        click.echo(line)


@group.command("status")
def status() -> None:
    """Key sources and permissions, data key versions, and rows per version."""
    instance = _instance()
    path = crypto.secrets_path(instance)
    key_path = crypto.master_key_path(instance)
    with _reported():
        environment = _open(instance)
    master = environment.master
    where = (
        master.source if master.path is None else f"{key_path} (mode {files.file_mode(key_path)})"
    )
    click.echo(f"Master key: {where}, fingerprint {master.fingerprint}")
    mode = files.file_mode(path)
    warning = "" if mode == "0600" else f"; should be 0600: chmod 600 {path}"
    click.echo(f"Secrets: {path} (mode {mode}{warning}), {len(environment.secrets())} held")
    click.echo(f"Backup: {files.backup_path(path)} ({files.file_mode(files.backup_path(path))})")
    active = environment.active_version
    versions = list(environment.data_keys())
    described = [f"v{v}{' (active)' if v == active else ''}" for v in versions]
    click.echo(f"Data keys: {', '.join(described) or 'none'}")
    problem = _in_app(schema_problem)
    if problem is not None:
        click.echo("Rows per version: unavailable (see below)")
        raise click.ClickException(str(problem))
    counts = _in_app(lambda: encryption.rows_per_version(versions))
    if isinstance(counts, str):
        raise click.ClickException(f"Rows per version: unavailable ({counts})")
    click.echo("Rows per version:")
    _echo_counts(counts, active)
    totals = encryption.total_per_version(counts)
    idle = [f"v{v}" for v in versions if v != active and not totals.get(v)]
    if idle:
        click.echo(f"Unused retired keys: {', '.join(idle)} (`flask crypto prune` removes them)")


def _in_app(work: Callable[[], T]) -> T | str:
    """Run `work` against the app's database, or say why that cannot be done.

    `flask crypto` runs even when the app cannot start; then the commands
    that only report on the database say so instead of failing.
    """
    if has_app_context():
        return work()
    info = click.get_current_context().ensure_object(ScriptInfo)
    try:
        app = info.load_app()
    except SystemExit as error:  # ConfigError: the app cannot start, and says why
        return str(error.code)
    except Exception as error:  # a report says what fails, whatever it is
        # Only the type: the text of a driver's error can quote a database URL.
        return f"the app did not load: {type(error).__name__}"
    with app.app_context():
        try:
            return work()
        except SQLAlchemyError as error:
            return f"the database did not answer: {type(error).__name__}"

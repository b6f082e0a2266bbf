"""The database extension, the declarative base and engine settings."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, has_request_context, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# True while a background job runs: its SQLite transactions write, like a POST's.
writing_job: ContextVar[bool] = ContextVar("writing_job", default=False)


class Base(DeclarativeBase):
    """Declarative base for every Marquee model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


# Schema objects the migrations make by hand, per backend, that the models
# cannot describe: autogenerate and the models-match-migrations test skip them.
HAND_MADE_PREFIXES = ("search_fts", "ix_search_entries_document", "ix_pg_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: leave the backend-specific search objects alone."""
    return not (name or "").startswith(HAND_MADE_PREFIXES)


migrate = Migrate(render_as_batch=True, compare_type=True, include_object=include_object)


@dataclass(frozen=True)
class SchemaProblem:
    """Why the database cannot serve this code, in one line that names the fix."""

    message: str
    # No schema at all (a missing SQLite file or an empty database): nothing is stored yet.
    empty: bool = False

    def __str__(self) -> str:
        return self.message


UPGRADE = "run `flask db upgrade`"


def schema_problem() -> SchemaProblem | None:
    """None when the app's database answers and is migrated to this code's head."""
    url = db.engine.url
    where = url.render_as_string(hide_password=True)
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(url.database).exists():  # connecting would leave an empty file
        return SchemaProblem(f"The database {url.database} does not exist: {UPGRADE}.", True)
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        if url.password:
            reason = reason.replace(str(url.password), "***")
        return SchemaProblem(
            f"The database at {where} does not answer ({reason}): check that it runs and that "
            f"DATABASE_URL is right, then {UPGRADE}."
        )
    scripts = ScriptDirectory(_migrations_directory())
    heads = set(scripts.get_heads())
    if current == heads:
        return None
    if not current:
        return SchemaProblem(f"The database at {where} has no tables yet: {UPGRADE}.", True)
    known = {script.revision for script in scripts.walk_revisions()}
    if current - known:
        return SchemaProblem(
            f"The database at {where} is at revision {', '.join(sorted(current - known))}, "
            "which this code does not know (a newer release migrated it): run that release, "
            "or restore a backup made before it."
        )
    return SchemaProblem(
        f"The database at {where} is not migrated to this code (it is at "
        f"{', '.join(sorted(current))}, the code needs {', '.join(sorted(heads))}): {UPGRADE}."
    )


def _migrations_directory() -> Path:
    directory = Path(current_app.extensions["migrate"].directory)
    if directory.is_absolute():
        return directory
    return Path(current_app.root_path).parent / directory


def is_sqlite(session: Any = None) -> bool:
    """Whether the session (default: the app's) talks to SQLite, for SQLite-only tuning."""
    return (session or db.session).get_bind().dialect.name == "sqlite"


def init_app(app: Flask) -> None:
    """Bind the database and migrations to the app and tune SQLite engines."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    # Whatever else an operator sets, parameters never reach logs or errors.
    options["hide_parameters"] = True
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIRECTORY", "migrations"))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """Engine options for the configured database.

    Statement parameters stay out of logs and error messages: they can hold a
    value an encrypted column has not encrypted yet, or a user's email.
    """
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    return {
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "hide_parameters": True,
        # A page's queries take a few milliseconds; starting parallel workers
        # for one costs more than it saves (the profile page: 15 ms against 5).
        "connect_args": {"options": "-c max_parallel_workers_per_gather=0"},
    }


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and real transactions (SAVEPOINT, DDL) on SQLite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin;
        # the module's own handling breaks SAVEPOINT and transactional DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A request that changes things takes the write lock up front: a
        # transaction that reads first and writes later would otherwise fail at
        # once ("database is locked") when another writer committed meanwhile,
        # instead of waiting its turn for the busy timeout.
        writing = writing_job.get() or (
            has_request_context() and request.method not in SAFE_METHODS
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

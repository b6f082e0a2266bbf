"""Operator commands on a database that is missing, unreachable, empty or a migration behind."""

from __future__ import annotations

import os
from collections.abc import Iterator

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from flask import Flask

from app import create_app
from app.infra import crypto
from app.infra.db import db as database
from app.infra.db import schema_problem
from tests.support import MIGRATIONS, free_port, make_config

# Every command that reads or writes the database, with arguments that would work on a
# migrated one. A command only about files (crypto set, seed fetch) needs no database.
DATABASE_COMMANDS = [
    ["crypto", "reencrypt"],
    ["crypto", "prune"],
    ["seed", "sample"],
    ["seed", "load"],
    ["seed", "all", "--ids", "550"],
    ["seed", "describe", "--provider", "offline"],
    ["seed", "reindex"],
    ["users", "create", "--email", "ana@example.com", "--username", "ana", "--password", "x" * 20],
    ["users", "list"],
    ["users", "set-password", "ana", "--password", "y" * 20],
]
REPORTS = [["crypto", "status"], ["seed", "status"]]


def operator_app(tmp_path, url: str) -> Flask:
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="k" * 48)
    return create_app(make_config(instance, url, SEED_OUTPUT_DIR=str(tmp_path / "output")))


@pytest.fixture
def missing_database(tmp_path) -> Iterator[Flask]:
    """A SQLite file that does not exist yet: a fresh clone before `flask db upgrade`."""
    yield operator_app(tmp_path, f"sqlite:///{tmp_path / 'never-made.sqlite3'}")
    assert not (tmp_path / "never-made.sqlite3").exists(), "a check left an empty file behind"


@pytest.fixture
def empty_database(tmp_path, blank_database_url) -> Iterator[Flask]:
    app = operator_app(tmp_path, blank_database_url)
    with app.app_context():
        database.engine.connect().close()  # on SQLite: the file exists, with no tables
    yield app
    with app.app_context():
        database.engine.dispose()


@pytest.fixture
def database_behind(tmp_path, blank_database_url) -> Iterator[Flask]:
    """Migrated to the revision before the code's head: a deploy that skipped the upgrade."""
    app = operator_app(tmp_path, blank_database_url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        flask_migrate.downgrade(directory=MIGRATIONS, revision="-1")
    yield app
    with app.app_context():
        database.engine.dispose()


@pytest.fixture
def unreachable_database(tmp_path) -> Iterator[Flask]:
    """A PostgreSQL URL where no server listens."""
    app = operator_app(tmp_path, f"postgresql://marquee:hunter22@127.0.0.1:{free_port()}/marquee")
    yield app
    with app.app_context():
        database.engine.dispose()


STATES = {
    "missing_database": "does not exist: run `flask db upgrade`.",
    "empty_database": "has no tables yet: run `flask db upgrade`.",
    "database_behind": "is not migrated to this code",
    "unreachable_database": "does not answer (",
}


def invoke(app: Flask, *args: str, input: str | None = None):
    """Run `flask …` in-process with the app's context, as the `flask` command pushes it."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def assert_one_clean_error(result, expected: str) -> None:
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1, result.output
    assert len(errors) == 1, result.output
    assert expected in errors[0], result.output
    assert "flask db upgrade" in errors[0], result.output
    assert "Traceback" not in result.output
    assert "sqlalchemy" not in result.output.lower()
    assert "hunter22" not in result.output


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_each_database_command_says_to_run_the_upgrade(request, state, command):
    app = request.getfixturevalue(state)

    result = invoke(app, *command)

    assert_one_clean_error(result, STATES[state])


@pytest.mark.parametrize("state", STATES)
def test_status_reports_still_show_the_files(request, state):
    app = request.getfixturevalue(state)

    crypto_status = invoke(app, "crypto", "status")
    seed_status = invoke(app, "seed", "status")

    assert_one_clean_error(crypto_status, STATES[state])
    assert "Master key: " in crypto_status.output
    assert "Data keys: v1 (active)" in crypto_status.output
    assert "Rows per version: unavailable" in crypto_status.output
    assert_one_clean_error(seed_status, STATES[state])
    assert "raw (" in seed_status.output
    assert "processed (" in seed_status.output
    assert "database: unavailable." in seed_status.output


def test_file_commands_work_before_the_upgrade(missing_database):
    stored = invoke(missing_database, "crypto", "set", "TMDB_API_KEY", input="abc\n")
    listed = invoke(missing_database, "crypto", "list")
    rotated = invoke(missing_database, "crypto", "rotate")

    assert stored.exit_code == listed.exit_code == rotated.exit_code == 0
    assert "TMDB_API_KEY" in listed.output


def test_init_on_a_fresh_install_does_not_mention_the_database(tmp_path):
    instance = tmp_path / "instance"
    os.makedirs(instance)
    app = create_app(make_config(instance, f"sqlite:///{tmp_path / 'never-made.sqlite3'}"))

    result = invoke(app, "crypto", "init")

    assert result.exit_code == 0, result.output
    assert "Could not look for encrypted values" not in result.output
    assert not (tmp_path / "never-made.sqlite3").exists()


def test_a_migrated_database_has_no_problem(app, db):
    with app.app_context():
        assert schema_problem() is None


def test_the_message_names_the_revisions(database_behind):
    head = ScriptDirectory(MIGRATIONS).get_current_head()
    previous = ScriptDirectory(MIGRATIONS).get_revision(head).down_revision

    with database_behind.app_context():
        problem = schema_problem()

    assert problem is not None
    assert not problem.empty
    assert f"(it is at {previous}, the code needs {head})" in str(problem)

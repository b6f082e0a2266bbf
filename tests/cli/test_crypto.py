"""`flask crypto …` through Flask's CLI runner, and once as a real `flask` process."""

from __future__ import annotations

import json
import os
import pty
import select as select_module
import signal
import subprocess
import sys
import threading
import time

import flask_migrate
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, create_engine, select, text, type_coerce

from app import create_app
from app.infra import crypto
from app.infra.crypto import EncryptedEnvironment
from app.infra.db import db as database_handle
from app.models import User
from app.services import encryption
from tests.factories import add_users_with_secrets, insert_user_with_stored_secret
from tests.support import MIGRATIONS, ROOT, child_environment, make_config

SECRET = "sk-this-must-stay-hidden"


def crypto_command(runner, *args: str, input: str | None = None):
    return runner.invoke(args=["crypto", *args], input=input)


def opened(instance) -> EncryptedEnvironment:
    return EncryptedEnvironment.open(
        crypto.secrets_path(instance), crypto.read_master_key(instance)
    )


def secrets_by_username(db) -> dict[str, str | None]:
    db.session.expire_all()
    return {user.username: user.totp_secret for user in db.session.scalars(select(User))}


def rows_per_version(db) -> dict[int, int]:
    versions = range(1, 10)
    return {
        version: rows
        for version, rows in encryption.total_per_version(
            encryption.rows_per_version(versions)
        ).items()
        if rows
    }


def rotate_and_restart(runner, app, instance, monkeypatch) -> None:
    """`flask crypto rotate`, then the app picks up the new active key as a restart would."""
    assert crypto_command(runner, "rotate").exit_code == 0
    monkeypatch.setitem(app.extensions, "marquee.keyring", opened(instance).keyring())


# init


def test_init_creates_keys_and_a_secret_key(runner, empty_instance):
    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert f"Created the master key {empty_instance / 'master.key'} (mode 0600)" in result.output
    assert "data key v1 and a new SECRET_KEY" in result.output
    environment = opened(empty_instance)
    assert len(environment.get("SECRET_KEY")) >= 48
    assert environment.active_version == 1
    assert environment.get("SECRET_KEY") not in result.output


def test_init_refuses_to_overwrite_and_if_missing_succeeds(runner, instance):
    before = (instance / ".env.crypto").read_bytes()

    refused = crypto_command(runner, "init")
    quiet = crypto_command(runner, "init", "--if-missing")

    assert refused.exit_code == 1
    assert "already exists; init never overwrites a setup" in refused.output
    assert quiet.exit_code == 0
    assert "already set up" in quiet.output
    assert (instance / ".env.crypto").read_bytes() == before


def test_init_keeps_an_installs_secret_key_encrypted(runner, empty_instance):
    config_file = empty_instance / "config.dev.json"
    existing = "an-existing-random-secret-key-" + "x" * 40
    config_file.write_text(json.dumps({"SECRET_KEY": existing, "LOG_LEVEL": "INFO"}))

    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert f"the SECRET_KEY from {config_file}" in result.output
    assert f"Removed the plaintext SECRET_KEY from {config_file}" in result.output
    assert opened(empty_instance).get("SECRET_KEY") == existing
    assert json.loads(config_file.read_text()) == {"LOG_LEVEL": "INFO"}
    assert config_file.stat().st_mode & 0o777 == 0o600
    assert existing not in result.output


def test_init_replaces_a_short_secret_key(runner, empty_instance):
    config_file = empty_instance / "config.dev.json"
    config_file.write_text(json.dumps({"SECRET_KEY": "short"}))

    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert "too short to keep; replaced" in result.output
    assert len(opened(empty_instance).get("SECRET_KEY")) >= 48
    assert json.loads(config_file.read_text()) == {}


def test_init_adopts_flask_secret_key_from_the_environment(runner, empty_instance, monkeypatch):
    shared = "shared-by-every-app-server-" + "y" * 40
    monkeypatch.setenv("FLASK_SECRET_KEY", shared)

    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert "the SECRET_KEY from the FLASK_SECRET_KEY environment variable" in result.output
    assert "Remove FLASK_SECRET_KEY from the environment" in result.output
    assert opened(empty_instance).get("SECRET_KEY") == shared


@pytest.mark.parametrize(
    "trace",
    ["master.key", "master.key.new", ".env.crypto.bak", ".env.crypto.tmp", ".env.crypto.bak.tmp"],
)
@pytest.mark.parametrize("flags", [[], ["--if-missing"]])
def test_init_will_not_start_afresh_over_a_lost_setup(runner, empty_instance, trace, flags):
    (empty_instance / trace).write_text("left from before\n")

    result = crypto_command(runner, "init", *flags)

    assert result.exit_code == 1
    assert "restore" in result.output
    assert "move" in result.output
    assert not (empty_instance / ".env.crypto").exists()


def test_init_uses_a_master_key_from_the_environment(runner, empty_instance, monkeypatch):
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())

    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert "Using the master key from the MARQUEE_MASTER_KEY environment variable" in result.output
    assert not (empty_instance / "master.key").exists()


def test_commands_before_init_say_to_run_it(runner, empty_instance):
    for args in (["list"], ["get", "SECRET_KEY"], ["rotate"], ["status"], ["rekey"]):
        result = crypto_command(runner, *args)
        assert result.exit_code == 1, args
        assert "run `flask crypto init` first" in result.output, args


# set, get, unset, list


def test_set_reads_the_value_from_standard_input(runner, instance):
    result = crypto_command(runner, "set", "TMDB_API_KEY", input=SECRET + "\n")

    assert result.exit_code == 0, result.output
    assert "Set TMDB_API_KEY" in result.output
    assert SECRET not in result.output
    assert SECRET not in (instance / ".env.crypto").read_text()
    assert opened(instance).get("TMDB_API_KEY") == SECRET


def test_set_keeps_inner_newlines_and_drops_the_last_one(runner, instance):
    crypto_command(runner, "set", "TLS_KEY", input="line one\nline two\n")

    assert opened(instance).get("TLS_KEY") == "line one\nline two"


def test_set_takes_no_value_on_the_command_line(runner, instance):
    result = crypto_command(runner, "set", "TMDB_API_KEY", SECRET)

    assert result.exit_code == 2
    assert opened(instance).get("TMDB_API_KEY") is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TMDB_API_KEY", "", "No value given for TMDB_API_KEY; nothing changed"),
        ("tmdb_api_key", "x", "is not a valid name"),
        ("MARQUEE_DATA_KEY_V1", "x", "is a data key"),
    ],
)
def test_set_refuses_bad_input_and_changes_nothing(runner, instance, name, value, message):
    before = (instance / ".env.crypto").read_bytes()

    result = crypto_command(runner, "set", name, input=value)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert (instance / ".env.crypto").read_bytes() == before


def test_set_warns_about_a_name_marquee_does_not_read(runner, instance):
    result = crypto_command(runner, "set", "SECRT_KEY", input="x")

    assert result.exit_code == 0
    assert "Marquee reads no setting called SECRT_KEY" in result.output
    known = crypto_command(runner, "set", "SMTP_PASSWORD", input="x")
    assert "reads no setting" not in known.output


def test_get_prints_a_value_only_when_asked(runner, instance):
    crypto_command(runner, "set", "OPENAI_API_KEY", input=SECRET)

    hidden = crypto_command(runner, "get", "OPENAI_API_KEY")
    revealed = crypto_command(runner, "get", "OPENAI_API_KEY", "--reveal")
    missing = crypto_command(runner, "get", "NOT_SET")

    assert hidden.exit_code == 0
    assert SECRET not in hidden.output
    assert f"set ({len(SECRET)} characters)" in hidden.output
    assert revealed.output == SECRET + "\n"
    assert missing.exit_code == 1
    assert "NOT_SET is not set" in missing.output


def test_a_command_that_changes_nothing_leaves_the_files_alone(runner, instance):
    crypto_command(runner, "set", "TMDB_API_KEY", input="one")
    crypto_command(runner, "set", "TMDB_API_KEY", input="two")
    files = {name: (instance / name).read_bytes() for name in (".env.crypto", ".env.crypto.bak")}

    assert crypto_command(runner, "unset", "NOT_SET").exit_code == 1
    assert crypto_command(runner, "prune").exit_code == 0
    assert crypto_command(runner, "set", "TMDB_API_KEY", input="two").exit_code == 0

    assert {name: (instance / name).read_bytes() for name in files} == files


def test_unset_removes_and_list_shows_names_only(runner, instance):
    crypto_command(runner, "set", "TMDB_API_KEY", input=SECRET)
    crypto_command(runner, "set", "OPENAI_API_KEY", input=SECRET)

    listed = crypto_command(runner, "list")
    removed = crypto_command(runner, "unset", "TMDB_API_KEY")
    again = crypto_command(runner, "unset", "TMDB_API_KEY")

    assert listed.output.split() == ["SECRET_KEY", "TMDB_API_KEY", "OPENAI_API_KEY"]
    assert SECRET not in listed.output
    assert removed.exit_code == 0
    assert again.exit_code == 1
    assert "not set" in again.output
    assert set(opened(instance).secrets()) == {"SECRET_KEY", "OPENAI_API_KEY"}


# rotate, reencrypt, prune


def test_rotate_reencrypt_prune_keeps_every_row_readable(db, runner, app, instance, monkeypatch):
    add_users_with_secrets(700)  # v1
    db.session.commit()
    edited = {user.id: user.updated_at for user in db.session.scalars(select(User))}
    rotate_and_restart(runner, app, instance, monkeypatch)
    add_users_with_secrets(50, start=700)  # v2, written after the restart
    db.session.commit()
    expected = secrets_by_username(db)
    assert rows_per_version(db) == {1: 700, 2: 50}

    refused = crypto_command(runner, "prune")
    assert refused.exit_code == 1
    assert "Nothing pruned: v1 by 700 rows still in use" in refused.output
    assert opened(instance).data_keys().keys() == {1, 2}

    result = crypto_command(runner, "reencrypt", "--batch-size", "64")
    assert result.exit_code == 0, result.output
    assert "users.totp_secret: v1: 0, v2 (active): 750" in result.output
    assert "Every row now uses data key v2." in result.output
    assert rows_per_version(db) == {2: 750}
    db.session.expire_all()
    users = db.session.scalars(select(User).where(User.id.in_(edited))).all()
    assert {user.id: user.updated_at for user in users} == edited  # not an edit

    pruned = crypto_command(runner, "prune")
    assert pruned.exit_code == 0, pruned.output
    assert "Removed data keys v1; v2 remains" in pruned.output
    assert opened(instance).data_keys().keys() == {2}
    (archive,) = instance.glob(".env.crypto.pruned-*")
    assert f"Their wrapped copies are in {archive}" in pruned.output
    assert archive.stat().st_mode & 0o777 == 0o600
    (line,) = [line for line in archive.read_text().splitlines() if not line.startswith("#")]
    name, token = line.split("=", 1)
    assert name == "MARQUEE_DATA_KEY_V1"
    assert Fernet(crypto.read_master_key(instance).decrypt(token))  # the key, still wrapped
    monkeypatch.setitem(app.extensions, "marquee.keyring", opened(instance).keyring())
    assert secrets_by_username(db) == expected


def test_an_interrupted_reencrypt_loses_nothing_and_a_rerun_converges(
    db, runner, app, instance, monkeypatch
):
    add_users_with_secrets(300)
    db.session.commit()
    expected = secrets_by_username(db)
    rotate_and_restart(runner, app, instance, monkeypatch)
    real_apply = encryption.apply_batch
    calls = []

    def interrupted_in_the_third_batch(*args, **kwargs):
        calls.append(1)
        changed = real_apply(*args, **kwargs)  # the batch's updates run, uncommitted
        if len(calls) == 3:
            raise KeyboardInterrupt
        return changed

    monkeypatch.setattr(encryption, "apply_batch", interrupted_in_the_third_batch)
    interrupted = crypto_command(runner, "reencrypt", "--batch-size", "50")
    monkeypatch.setattr(encryption, "apply_batch", real_apply)

    assert interrupted.exit_code == 1
    assert "Interrupted. 100 rows were re-encrypted and committed" in interrupted.output
    assert rows_per_version(db) == {1: 200, 2: 100}  # the third batch was rolled back
    assert secrets_by_username(db) == expected

    rerun = crypto_command(runner, "reencrypt", "--batch-size", "50")
    assert rerun.exit_code == 0, rerun.output
    assert rows_per_version(db) == {2: 300}
    assert crypto_command(runner, "prune").exit_code == 0
    assert secrets_by_username(db) == expected


def test_reencrypt_reports_rows_it_cannot_read_and_leaves_them(
    db, runner, app, instance, monkeypatch
):
    add_users_with_secrets(3)
    db.session.commit()
    stored = select(type_coerce(User.totp_secret, Text)).where(User.username == "user1")
    insert_user_with_stored_secret("broken", "v9:gAAAAAnot-a-token")
    db.session.commit()
    rotate_and_restart(runner, app, instance, monkeypatch)

    result = crypto_command(runner, "reencrypt")

    assert result.exit_code == 1
    assert "could not be decrypted" in result.output
    assert "users.totp_secret: ids" in result.output
    assert "unreadable: 1" in result.output
    assert db.session.scalar(stored).startswith("v2:")
    assert rows_per_version(db) == {2: 3, 9: 1}  # the unreadable row is left as it was


def test_prune_with_one_key_has_nothing_to_do(runner, instance):
    result = crypto_command(runner, "prune")

    assert result.exit_code == 0
    assert "Nothing to prune: v1 is the only data key" in result.output


# rekey


def test_rekey_wraps_everything_under_a_new_key_file(db, runner, instance):
    crypto_command(runner, "set", "TMDB_API_KEY", input=SECRET)
    old_key = crypto.read_master_key(instance)

    result = crypto_command(runner, "rekey")

    assert result.exit_code == 0, result.output
    new_key = crypto.read_master_key(instance)
    assert new_key.key != old_key.key
    assert opened(instance).get("TMDB_API_KEY") == SECRET
    (retired,) = instance.glob("master.key.retired-*")
    assert retired.read_bytes().strip() == old_key.key
    assert retired.stat().st_mode & 0o777 == 0o600
    assert f"The new key is {instance / 'master.key'}" in result.output
    assert f"The old key was moved to {retired}" in result.output
    backup = EncryptedEnvironment.open(instance / ".env.crypto.bak", old_key)
    assert backup.get("TMDB_API_KEY") == SECRET
    assert not crypto.pending_master_key_path(instance).exists()


def test_rekey_with_the_key_in_the_environment_leaves_the_new_one_to_install(
    runner, empty_instance, monkeypatch
):
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())
    crypto_command(runner, "init")

    result = crypto_command(runner, "rekey")

    assert result.exit_code == 0, result.output
    pending = crypto.pending_master_key_path(empty_instance)
    assert f"The new key is in {pending}. Put it in MARQUEE_MASTER_KEY" in result.output
    stale = crypto_command(runner, "list")
    assert stale.exit_code == 1
    assert "A `flask crypto rekey` was interrupted" in stale.output

    monkeypatch.setenv("MARQUEE_MASTER_KEY", pending.read_text().strip())
    finished = crypto_command(runner, "rekey", "--finish")
    assert finished.exit_code == 0, finished.output
    assert "already holds the new key" in finished.output
    assert not pending.exists()
    assert crypto_command(runner, "list").output.split() == ["SECRET_KEY"]


def test_an_interrupted_rekey_is_finished_by_rekey_finish(runner, instance, monkeypatch):
    real_replace = os.replace

    def stop_before_the_key_swap(source, target):
        if str(source).endswith("master.key.new"):
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", stop_before_the_key_swap)
    interrupted = crypto_command(runner, "rekey")
    monkeypatch.setattr(os, "replace", real_replace)
    assert interrupted.exit_code == 1

    stuck = crypto_command(runner, "list")
    again = crypto_command(runner, "rekey")
    finished = crypto_command(runner, "rekey", "--finish")

    for refused in (stuck, again):
        assert refused.exit_code == 1
        assert "A `flask crypto rekey` was interrupted" in refused.output
        assert "Run `flask crypto rekey --finish`" in refused.output
    assert finished.exit_code == 0, finished.output
    assert crypto_command(runner, "list").output.split() == ["SECRET_KEY"]


def test_a_rekey_that_stopped_before_rewriting_the_file_starts_over(runner, instance):
    pending = crypto.pending_master_key_path(instance)
    pending.write_text(Fernet.generate_key().decode() + "\n")  # written, then the crash
    pending.chmod(0o600)

    nothing_to_finish = crypto_command(runner, "rekey", "--finish")
    result = crypto_command(runner, "rekey")

    assert nothing_to_finish.exit_code == 1
    assert "still opens with the master key" in nothing_to_finish.output
    assert "was never used; delete it" in nothing_to_finish.output
    assert result.exit_code == 0, result.output
    assert not pending.exists()
    assert crypto_command(runner, "list").output.split() == ["SECRET_KEY"]


def test_rekey_finish_without_a_pending_key(runner, instance):
    result = crypto_command(runner, "rekey", "--finish")

    assert result.exit_code == 1
    assert "There is no rekey to finish" in result.output


# status


def test_status_shows_versions_rows_and_permissions(db, runner, app, instance, monkeypatch):
    add_users_with_secrets(5)
    db.session.commit()
    rotate_and_restart(runner, app, instance, monkeypatch)
    crypto_command(runner, "rotate")
    (instance / ".env.crypto").chmod(0o644)

    result = crypto_command(runner, "status")

    assert result.exit_code == 0, result.output
    master = crypto.read_master_key(instance)
    assert f"Master key: {instance / 'master.key'} (mode 0600), fingerprint" in result.output
    assert master.fingerprint in result.output
    assert "(mode 0644; should be 0600: chmod 600" in result.output
    assert "Data keys: v1, v2, v3 (active)" in result.output
    assert "users.totp_secret: v1: 5, v2: 0, v3 (active): 0" in result.output
    assert "Unused retired keys: v2" in result.output
    assert master.key.decode() not in result.output


def test_status_names_a_key_file_others_can_read(runner, instance):
    (instance / "master.key").chmod(0o644)

    result = crypto_command(runner, "status")

    assert result.exit_code == 1
    assert "chmod 600" in result.output
    assert "Traceback" not in result.output


# The real `flask` command, when the app itself cannot start.


FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


def flask_environment(instance, **environment: str) -> dict[str, str]:
    """This shell's variables with none of Marquee's own, then the instance and `environment`."""
    return child_environment(MARQUEE_INSTANCE_PATH=str(instance), **environment)


def flask_command(instance, *args: str, input: str | None = None, **environment: str):
    return subprocess.run(
        [FLASK, *args],
        cwd=ROOT,
        env=flask_environment(instance, **environment),
        input=input,
        capture_output=True,
        text=True,
        check=False,
    )


def test_flask_crypto_runs_where_production_cannot_start_yet(tmp_path):
    instance = tmp_path / "instance"
    production = {"MARQUEE_ENV": "prod", "FLASK_BASE_URL": "https://movies.example.org"}

    refused = flask_command(instance, "routes", **production)
    assert refused.returncode == 1
    assert "SECRET_KEY is not set for MARQUEE_ENV=prod" in refused.stderr

    initialized = flask_command(instance, "crypto", "init", **production)
    assert initialized.returncode == 0, initialized.stderr
    stored = flask_command(instance, "crypto", "set", "TMDB_API_KEY", input=SECRET, **production)
    assert stored.returncode == 0, stored.stderr

    started = flask_command(instance, "routes", **production)
    assert started.returncode == 0, started.stderr
    assert "/movies/" in started.stdout
    assert SECRET not in started.stdout + started.stderr


def test_reencrypt_on_sqlite_waits_its_turn_behind_the_apps_writes(tmp_path):
    """A real `flask crypto reencrypt` while another connection keeps committing."""
    instance = tmp_path / "instance"
    database = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    crypto.initialize(instance, secret_key="k" * 48)
    app = create_app(make_config(instance, database))
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        add_users_with_secrets(2000)
        database_handle.session.commit()
    environment = opened(instance)
    environment.add_data_key()
    environment.save()

    stop = threading.Event()
    writes = []

    def keep_writing() -> None:
        engine = create_engine(database, connect_args={"timeout": 15})
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE users SET active = 1 - active WHERE id = :id"),
                    {"id": len(writes) % 2000 + 1},
                )
            writes.append(1)
        engine.dispose()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = flask_command(
            instance, "crypto", "reencrypt", "--batch-size", "100", DATABASE_URL=database
        )
    finally:
        stop.set()
        writer.join()

    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert "users.totp_secret: v1: 0, v2 (active): 2,000" in result.stdout
    assert len(writes) > 10  # the app really was writing meanwhile


def test_init_keeps_productions_key_over_a_development_one(runner, empty_instance):
    production = "production-key-shared-by-every-server-" + "p" * 30
    (empty_instance / "config.prod.json").write_text(json.dumps({"SECRET_KEY": production}))
    (empty_instance / "config.dev.json").write_text(json.dumps({"SECRET_KEY": "d" * 64}))

    result = crypto_command(runner, "init")

    assert result.exit_code == 0, result.output
    assert opened(empty_instance).get("SECRET_KEY") == production
    for env_name in ("prod", "dev"):
        assert "SECRET_KEY" not in (empty_instance / f"config.{env_name}.json").read_text()
        removed = f"Removed the plaintext SECRET_KEY from {empty_instance}/config.{env_name}.json"
        assert removed in result.output


def test_init_refuses_where_the_database_holds_values_another_setup_wrote(
    db, runner, empty_instance
):
    insert_user_with_stored_secret("ana", "v1:gAAAAABwritten-by-another-server")
    db.session.commit()

    result = crypto_command(runner, "init")

    assert result.exit_code == 1
    assert "The database already holds 1 encrypted values" in result.output
    assert "Copy instance/.env.crypto and its master key" in result.output
    assert not (empty_instance / ".env.crypto").exists()
    assert not (empty_instance / "master.key").exists()


def test_rekey_rewraps_the_archives_of_pruned_keys(db, runner, instance):
    crypto_command(runner, "rotate")
    assert crypto_command(runner, "prune").exit_code == 0
    (archive,) = instance.glob(".env.crypto.pruned-*")

    assert crypto_command(runner, "rekey").exit_code == 0

    new_key = crypto.read_master_key(instance)
    assert crypto.file_fingerprint(archive) == new_key.fingerprint
    (line,) = [line for line in archive.read_text().splitlines() if not line.startswith("#")]
    assert Fernet(new_key.decrypt(line.split("=", 1)[1]))


def test_set_on_a_terminal_asks_twice_without_echoing(tmp_path):
    """The hidden prompt, through a real pseudo-terminal."""
    instance = tmp_path / "instance"
    crypto.initialize(instance, secret_key="k" * 48)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [FLASK, "crypto", "set", "OPENAI_API_KEY"],
        cwd=ROOT,
        env=flask_environment(instance),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    shown = read_until(controller, b"Value for OPENAI_API_KEY: ")
    os.write(controller, SECRET.encode() + b"\n")
    shown += read_until(controller, b"Repeat for confirmation: ")
    os.write(controller, SECRET.encode() + b"\n")
    shown += read_until(controller, b"take effect.")
    assert process.wait(timeout=30) == 0
    os.close(controller)

    assert SECRET.encode() not in shown
    assert opened(instance).get("OPENAI_API_KEY") == SECRET


def read_until(descriptor: int, expected: bytes, timeout: float = 30) -> bytes:
    """What the terminal shows, up to and including `expected`."""
    shown = b""
    deadline = time.monotonic() + timeout
    while expected not in shown:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"never saw {expected!r}; saw {shown!r}"
        ready, _, _ = select_module.select([descriptor], [], [], remaining)
        if ready:
            shown += os.read(descriptor, 1024)
    return shown


def stored_versions(database: str) -> dict[str, int]:
    """Users per data key version ("v1", "v2"), read past the app while another process writes."""
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT substr(totp_secret, 1, instr(totp_secret, ':') - 1) AS version, "
                    "count(*) FROM users GROUP BY version"
                )
            )
            return {version: count for version, count in rows}
    finally:
        engine.dispose()


def test_a_reencrypt_killed_part_way_then_rerun_leaves_every_row_readable(tmp_path):
    """A real `flask crypto reencrypt` SIGKILLed between batches, then run again, loses nothing."""
    users = 5_000
    instance = tmp_path / "instance"
    database = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    crypto.initialize(instance, secret_key="k" * 48)
    with create_app(make_config(instance, database)).app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        add_users_with_secrets(users)
        database_handle.session.commit()
    environment = opened(instance)
    environment.add_data_key()
    environment.save()

    reencrypt = subprocess.Popen(
        [FLASK, "crypto", "reencrypt", "--batch-size", "10"],
        cwd=ROOT,
        env=flask_environment(instance, DATABASE_URL=database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # It prints nothing per batch (progress comes every 5 s): watch the rows it commits.
        while stored_versions(database).get("v2", 0) < 20:
            assert reencrypt.poll() is None, "reencrypt ended before it could be killed"
            time.sleep(0.01)
    finally:
        reencrypt.send_signal(signal.SIGKILL)  # a no-op if it already ended
        killed_output, killed_errors = reencrypt.communicate(timeout=30)
    partial = stored_versions(database)
    rerun = flask_command(instance, "crypto", "reencrypt", DATABASE_URL=database)

    assert reencrypt.returncode == -signal.SIGKILL, killed_output + killed_errors
    assert partial.keys() == {"v1", "v2"}  # cut short between batches
    assert sum(partial.values()) == users
    assert rerun.returncode == 0, rerun.stderr + rerun.stdout
    assert f"users.totp_secret: v1: 0, v2 (active): {users:,}" in rerun.stdout
    assert "Every row now uses data key v2." in rerun.stdout
    with create_app(make_config(instance, database)).app_context():
        assert secrets_by_username(database_handle) == {
            f"user{number}": f"SECRET{number:05d}" for number in range(users)
        }

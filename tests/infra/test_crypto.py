"""The master key, instance/.env.crypto, the keyring and start-up decryption."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app import create_app
from app.infra import crypto
from app.infra.config import ConfigError, normalize_database_url
from app.infra.crypto import CryptoError, EncryptedEnvironment
from tests.support import ROOT, make_config

SECRET = "s3cr3t-value-that-must-never-show"


def setup_instance(instance: Path, **secrets: str) -> EncryptedEnvironment:
    """An instance folder initialized as `flask crypto init` does, plus some secrets."""
    environment = crypto.initialize(instance, secret_key="k" * 48).environment
    for name, value in secrets.items():
        environment.set(name, value)
    environment.save()
    return environment


def open_file(instance: Path) -> EncryptedEnvironment:
    return EncryptedEnvironment.open(
        crypto.secrets_path(instance), crypto.read_master_key(instance)
    )


def insert_before_the_end(path: Path, line: bytes) -> None:
    """Add a line as a hand edit would: above the file's closing '# end' line."""
    content = path.read_bytes()
    assert content.endswith(b"\n# end\n")
    path.write_bytes(content.removesuffix(b"# end\n") + line + b"\n# end\n")


# The master key.


def test_initialize_writes_a_private_key_file_and_file(tmp_path):
    setup = crypto.initialize(tmp_path, secret_key="k" * 48)

    assert setup.created_key_file
    for name in ("master.key", ".env.crypto"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    text = (tmp_path / ".env.crypto").read_text()
    assert setup.master.key.decode() not in text
    assert "k" * 48 not in text
    reopened = open_file(tmp_path)
    assert reopened.get("SECRET_KEY") == "k" * 48
    assert reopened.data_keys().keys() == {1}
    assert reopened.active_version == 1


def test_initialize_refuses_an_existing_file(tmp_path):
    crypto.initialize(tmp_path, secret_key="k" * 48)
    before = (tmp_path / ".env.crypto").read_bytes()

    with pytest.raises(CryptoError, match="already exists"):
        crypto.initialize(tmp_path, secret_key="x" * 48)
    assert (tmp_path / ".env.crypto").read_bytes() == before


def test_initialize_uses_the_key_from_the_environment(tmp_path, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("MARQUEE_MASTER_KEY", key)

    setup = crypto.initialize(tmp_path, secret_key="k" * 48)

    assert not setup.created_key_file
    assert not (tmp_path / "master.key").exists()
    assert "MARQUEE_MASTER_KEY" in setup.master.source
    assert open_file(tmp_path).get("SECRET_KEY") == "k" * 48


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_file_others_can_read_is_refused(tmp_path, mode):
    crypto.initialize(tmp_path, secret_key="k" * 48)
    (tmp_path / "master.key").chmod(mode)

    with pytest.raises(CryptoError) as refused:
        crypto.read_master_key(tmp_path)
    assert f"mode {mode:04o}" in str(refused.value)
    assert f"chmod 600 {tmp_path / 'master.key'}" in str(refused.value)


def test_a_malformed_master_key_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("MARQUEE_MASTER_KEY", "not-a-key")
    with pytest.raises(CryptoError, match="MARQUEE_MASTER_KEY environment variable is not a valid"):
        crypto.read_master_key(tmp_path)


# The encrypted file.


def test_every_write_keeps_the_previous_file_as_a_backup(tmp_path):
    environment = setup_instance(tmp_path, TMDB_API_KEY="first")
    environment.set("TMDB_API_KEY", "second")
    environment.save()

    backup = tmp_path / ".env.crypto.bak"
    assert backup.stat().st_mode & 0o777 == 0o600
    master = crypto.read_master_key(tmp_path)
    assert EncryptedEnvironment.open(backup, master).get("TMDB_API_KEY") == "first"
    assert open_file(tmp_path).get("TMDB_API_KEY") == "second"


def test_unchanged_values_keep_their_tokens(tmp_path):
    environment = setup_instance(tmp_path, TMDB_API_KEY="first")
    before = (tmp_path / ".env.crypto").read_text().splitlines()
    environment.set("OPENAI_API_KEY", "another")
    environment.save()
    after = (tmp_path / ".env.crypto").read_text().splitlines()

    assert set(before) <= set(after)
    assert len(after) == len(before) + 1


def test_a_wrong_master_key_names_the_file_and_the_key_source(tmp_path, monkeypatch):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())

    with pytest.raises(CryptoError) as refused:
        open_file(tmp_path)
    message = str(refused.value)
    assert str(tmp_path / ".env.crypto") in message
    assert "MARQUEE_MASTER_KEY environment variable" in message
    assert "does not open" in message
    assert SECRET not in message


def test_a_wrong_key_is_told_apart_without_the_fingerprint_line(tmp_path, monkeypatch):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    path = tmp_path / ".env.crypto"
    lines = [line for line in path.read_text().splitlines() if "fingerprint" not in line]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())

    with pytest.raises(CryptoError, match="no value in it decrypts"):
        open_file(tmp_path)


def test_a_corrupted_value_names_its_line(tmp_path):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    path = tmp_path / ".env.crypto"
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("TMDB_API_KEY="))
    name, token = lines[number - 1].split("=", 1)
    lines[number - 1] = f"{name}={token[:-6]}AAAAAA"
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(CryptoError) as refused:
        open_file(tmp_path)
    message = str(refused.value)
    assert f"line {number} (TMDB_API_KEY)" in message
    assert str(tmp_path / "master.key") in message
    assert ".env.crypto.bak" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("this is not a setting", "line 7: expected NAME=<token>"),
        ("lower_case=gAAAA", "line 7: expected NAME=<token>"),
        ("EMPTY=", "line 7: expected NAME=<token>"),
        ("SECRET_KEY=gAAAA", "line 7: SECRET_KEY appears twice"),
    ],
)
def test_a_malformed_line_names_its_number(tmp_path, line, expected):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    insert_before_the_end(path, line.encode())

    with pytest.raises(CryptoError, match=re.escape(expected)):
        open_file(tmp_path)


def test_a_file_without_its_key_says_where_the_key_should_be(tmp_path):
    setup_instance(tmp_path)
    (tmp_path / "master.key").unlink()

    with pytest.raises(CryptoError, match="no master key to open it: set MARQUEE_MASTER_KEY"):
        crypto.load(tmp_path)


def test_data_key_names_are_not_secrets(tmp_path):
    environment = setup_instance(tmp_path, TMDB_API_KEY="x")

    assert set(environment.secrets()) == {"SECRET_KEY", "TMDB_API_KEY"}
    for name in ("MARQUEE_DATA_KEY_V1", "MARQUEE_DATA_KEY_ACTIVE"):
        with pytest.raises(CryptoError, match="is a data key"):
            environment.set(name, "x")
    for name in ("lower", "1ABC", "WITH-DASH", ""):
        with pytest.raises(CryptoError, match="not a valid name"):
            environment.set(name, "x")


def test_a_crash_between_write_and_rename_leaves_the_old_file(tmp_path):
    """A real process dies right before the rename: the file it was replacing is whole."""
    setup_instance(tmp_path, TMDB_API_KEY="before")
    before = (tmp_path / ".env.crypto").read_bytes()
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from app.infra import crypto

        instance = Path({str(tmp_path)!r})
        environment = crypto.EncryptedEnvironment.open(
            crypto.secrets_path(instance), crypto.read_master_key(instance)
        )
        environment.set("TMDB_API_KEY", "after")
        real_replace = os.replace

        def crash_before_the_real_file(source, target):
            if Path(target).name == ".env.crypto":
                os._exit(9)  # the process dies: no cleanup, no exception handlers
            real_replace(source, target)

        os.replace = crash_before_the_real_file
        environment.save()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 9, result.stderr
    assert (tmp_path / ".env.crypto").read_bytes() == before
    assert (tmp_path / ".env.crypto.tmp").exists()  # the new content, never renamed
    assert open_file(tmp_path).get("TMDB_API_KEY") == "before"
    environment = open_file(tmp_path)  # the next write goes through over the leftover
    environment.set("TMDB_API_KEY", "after")
    environment.save()
    assert open_file(tmp_path).get("TMDB_API_KEY") == "after"


# The keyring.


def test_keyring_writes_versioned_tokens_and_reads_every_version(tmp_path):
    environment = setup_instance(tmp_path)
    old = environment.keyring()
    stored_with_v1 = old.encrypt("otpauth secret")
    environment.add_data_key()
    environment.save()
    new = environment.keyring()

    stored_with_v2 = new.encrypt("otpauth secret")
    assert stored_with_v1.startswith("v1:")
    assert stored_with_v2.startswith("v2:")
    assert new.decrypt(stored_with_v1) == new.decrypt(stored_with_v2) == "otpauth secret"


def test_keyring_reads_a_version_added_by_another_process(tmp_path):
    environment = setup_instance(tmp_path)
    running = environment.keyring()  # what a running app holds
    environment.add_data_key()  # `flask crypto rotate`, elsewhere
    environment.save()
    written_elsewhere = environment.keyring().encrypt("fresh")

    assert running.decrypt(written_elsewhere) == "fresh"


def test_keyring_refuses_an_unknown_version_and_altered_values(tmp_path):
    keyring = setup_instance(tmp_path).keyring()
    stored = keyring.encrypt("value")

    with pytest.raises(CryptoError, match=r"data key v7, which .* does not hold"):
        keyring.decrypt("v7:" + stored.split(":", 1)[1])
    with pytest.raises(CryptoError, match="does not decrypt"):
        keyring.decrypt(stored[:-4] + "AAAA")
    with pytest.raises(CryptoError, match="not of the form"):
        keyring.decrypt("plain text")


def test_a_value_that_looks_encrypted_is_encrypted_anyway(tmp_path):
    keyring = setup_instance(tmp_path).keyring()
    lookalike = keyring.encrypt("real")

    stored = keyring.encrypt(lookalike)

    assert stored != lookalike
    assert keyring.decrypt(stored) == lookalike


# Start-up.


def test_the_app_takes_its_secrets_from_the_encrypted_file(tmp_path, database_url, monkeypatch):
    setup_instance(
        tmp_path,
        TMDB_API_KEY="tmdb-from-file",
        FLASK_MAX_CONTENT_LENGTH="1024",
        DATABASE_URL=database_url,
    )
    monkeypatch.setenv("TMDB_API_KEY", "stale-environment-value")

    app = create_app({"MARQUEE_ENV": "test", "INSTANCE_PATH": str(tmp_path)})

    assert app.config["SECRET_KEY"] == "k" * 48
    assert app.config["TMDB_API_KEY"] == "tmdb-from-file"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.config["SQLALCHEMY_DATABASE_URI"] == normalize_database_url(database_url)
    assert app.extensions["marquee.keyring"].active == 1


def test_production_starts_from_secrets_held_only_in_the_file(tmp_path):
    setup_instance(tmp_path)

    app = create_app(
        {"MARQUEE_ENV": "prod", "INSTANCE_PATH": str(tmp_path), "BASE_URL": "https://x.example"}
    )

    assert app.config["SECRET_KEY"] == "k" * 48
    assert "SECRET_KEY" not in (tmp_path / "config.prod.json").read_text()


def test_a_first_run_file_holds_no_plaintext_key_once_keys_exist(tmp_path, database_url):
    setup_instance(tmp_path)
    create_app(make_config(tmp_path, database_url, MARQUEE_ENV="dev"))

    assert "SECRET_KEY" not in (tmp_path / "config.dev.json").read_text()


def test_a_wrong_key_stops_start_up_without_a_secret_or_a_traceback(tmp_path, monkeypatch):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())

    with pytest.raises(ConfigError) as stopped:
        create_app({"MARQUEE_ENV": "test", "INSTANCE_PATH": str(tmp_path)})
    assert str(stopped.value.code).startswith("Marquee cannot start: The master key from")
    assert SECRET not in str(stopped.value.code)
    assert stopped.value.__cause__ is None
    assert stopped.value.__suppress_context__


def test_flask_stops_with_one_clear_line_on_a_corrupted_file(tmp_path):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    path = tmp_path / ".env.crypto"
    path.write_text(path.read_text().replace("TMDB_API_KEY=gAAAA", "TMDB_API_KEY=gAAAB"))
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MARQUEE_")
    }
    environment |= {"MARQUEE_INSTANCE_PATH": str(tmp_path), "MARQUEE_ENV": "test"}

    result = subprocess.run(
        [sys.executable, "-m", "flask", "routes"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Marquee cannot start:" in result.stderr
    assert "(TMDB_API_KEY)" in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_start_up_logs_no_secret(tmp_path, caplog):
    setup_instance(tmp_path, TMDB_API_KEY=SECRET)
    with caplog.at_level(logging.DEBUG):
        app = create_app({"MARQUEE_ENV": "test", "INSTANCE_PATH": str(tmp_path)})
        app.logger.info("started with %s", sorted(app.config))

    assert SECRET not in caplog.text
    assert "k" * 48 not in caplog.text


def test_an_interrupted_rekey_is_named_at_start_up(tmp_path):
    environment = setup_instance(tmp_path)
    pending = crypto.pending_master_key_path(tmp_path)
    pending.write_text(Fernet.generate_key().decode() + "\n")
    pending.chmod(0o600)
    environment.rewrap(crypto.parse_master_key(pending.read_bytes(), str(pending), pending))
    environment.save()  # the key file swap never happened

    with pytest.raises(CryptoError) as refused:
        crypto.load(tmp_path)
    assert "A `flask crypto rekey` was interrupted" in str(refused.value)
    assert "flask crypto rekey --finish" in str(refused.value)


def test_a_file_that_lost_its_lines_is_refused(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    path.write_text("\n".join(header) + "\n")

    with pytest.raises(CryptoError, match="holds no values: it is truncated"):
        open_file(tmp_path)


def test_data_keys_without_the_active_line_are_refused(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    kept = [line for line in path.read_text().splitlines() if "DATA_KEY_ACTIVE" not in line]
    path.write_text("\n".join(kept) + "\n")

    with pytest.raises(CryptoError) as refused:
        open_file(tmp_path)
    assert "no MARQUEE_DATA_KEY_ACTIVE line" in str(refused.value)
    assert ".env.crypto.bak" in str(refused.value)


def test_a_corrupted_fingerprint_line_is_named_when_every_value_opens(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "fingerprint" in line)
    lines[number - 1] = lines[number - 1][:-4] + "0000"
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(CryptoError, match=f"line {number}: the master key fingerprint line"):
        open_file(tmp_path)


def test_a_line_that_is_not_text_is_named(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    insert_before_the_end(path, b"TMDB_API_KEY=\xff\xfe")

    with pytest.raises(CryptoError, match="line 7: not text"):
        open_file(tmp_path)


def test_a_corrupted_data_key_is_never_to_be_deleted(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    text = path.read_text().replace("MARQUEE_DATA_KEY_V1=gAAAA", "MARQUEE_DATA_KEY_V1=gAAAB")
    path.write_text(text)

    with pytest.raises(CryptoError) as refused:
        open_file(tmp_path)
    assert "(MARQUEE_DATA_KEY_V1)" in str(refused.value)
    assert "Do not delete the line" in str(refused.value)
    assert "flask crypto set" not in str(refused.value)


def test_a_running_keyring_writes_with_a_key_rotated_elsewhere(tmp_path):
    environment = setup_instance(tmp_path)
    running = open_file(tmp_path).keyring()  # what an app server loaded at start-up

    environment.add_data_key()  # `flask crypto rotate` in another process
    environment.save()

    assert running.encrypt("new value").startswith("v2:")
    assert running.active == 2


def test_a_file_cut_short_at_a_line_boundary_is_refused(tmp_path):
    setup_instance(tmp_path, TMDB_API_KEY="x", DATABASE_URL="sqlite:///elsewhere.sqlite3")
    path = tmp_path / ".env.crypto"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-2]) + "\n")  # lost DATABASE_URL and the end line

    with pytest.raises(CryptoError, match="does not end with its '# end' line: it was cut short"):
        open_file(tmp_path)


def test_a_value_below_the_end_line_is_named(tmp_path):
    setup_instance(tmp_path)
    path = tmp_path / ".env.crypto"
    path.write_text(path.read_text() + "TMDB_API_KEY=gAAAA\n")

    with pytest.raises(CryptoError, match="line 8: a value after the '# end' line"):
        open_file(tmp_path)


def test_a_byte_order_mark_is_not_corruption(tmp_path):
    setup_instance(tmp_path, TMDB_API_KEY="x")
    path = tmp_path / ".env.crypto"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    assert open_file(tmp_path).get("TMDB_API_KEY") == "x"


def test_a_running_keyring_follows_a_rekey_with_the_key_still_in_the_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MARQUEE_MASTER_KEY", Fernet.generate_key().decode())
    environment = setup_instance(tmp_path)
    running = open_file(tmp_path).keyring()  # started before the rekey, old key in its env
    crypto.rekey(environment)  # the new key waits in master.key.new for the restart
    environment.add_data_key()
    environment.save()

    assert running.encrypt("value").startswith("v2:")


def test_a_keyring_refuses_to_write_when_the_changed_file_cannot_be_read(tmp_path):
    setup_instance(tmp_path)
    running = open_file(tmp_path).keyring()
    path = tmp_path / ".env.crypto"
    path.write_text(path.read_text().replace("# end\n", ""))  # damaged under the running app

    with pytest.raises(CryptoError, match="cut short"):
        running.encrypt("value")

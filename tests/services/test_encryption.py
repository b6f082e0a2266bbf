"""Encrypted columns: discovery, rows per version, one re-encryption batch."""

import pytest
from sqlalchemy import Text, select, type_coerce

from app.infra import crypto
from app.models import User
from app.services import encryption
from tests.factories import insert_user_with_stored_secret


def opened(instance) -> crypto.EncryptedEnvironment:
    """The instance's .env.crypto, opened with its master key."""
    return crypto.EncryptedEnvironment.open(
        crypto.secrets_path(instance), crypto.read_master_key(instance)
    )


def test_encrypted_columns_are_found_in_the_schema():
    assert [column.name for column in encryption.encrypted_columns()] == ["users.totp_secret"]


def test_rows_per_version_counts_each_version_and_the_unreadable(db, instance):
    db.session.add_all(
        User(username=f"u{n}", email=f"u{n}@example.com", password_hash="x", totp_secret="s")
        for n in range(3)
    )
    db.session.add(User(username="none", email="none@example.com", password_hash="x"))
    insert_user_with_stored_secret("odd", "plain text")
    db.session.flush()

    (counts,) = encryption.rows_per_version([1, 2])

    assert counts.column == "users.totp_secret"
    assert counts.by_version == {1: 3, 2: 0}
    assert counts.other == 1


def test_batches_move_rows_to_the_active_key_once(db, instance):
    db.session.add_all(
        User(username=f"u{n}", email=f"u{n}@example.com", password_hash="x", totp_secret=f"s{n}")
        for n in range(5)
    )
    db.session.flush()
    environment = opened(instance)
    environment.add_data_key()
    keyring = environment.keyring()
    (column,) = encryption.encrypted_columns()

    batches = []
    after = None
    while True:
        batch = encryption.plan_batch(column, keyring, after=after, size=3)
        if batch.last_key is None:
            break
        batches.append(encryption.apply_batch(column, batch))
        after = batch.last_key

    assert batches == [3, 2]
    stored = db.session.scalars(select(type_coerce(User.totp_secret, Text))).all()
    assert all(value.startswith("v2:") for value in stored)
    assert sorted(keyring.decrypt(value) for value in stored) == [f"s{n}" for n in range(5)]


def test_a_row_rewritten_after_planning_is_left_alone(db, instance):
    user = User(username="ana", email="ana@example.com", password_hash="x", totp_secret="old")
    db.session.add(user)
    db.session.flush()
    environment = opened(instance)
    environment.add_data_key()
    (column,) = encryption.encrypted_columns()
    batch = encryption.plan_batch(column, environment.keyring(), after=None, size=10)

    user.totp_secret = "rewritten by the app meanwhile"
    db.session.flush()
    changed = encryption.apply_batch(column, batch)

    assert changed == 0
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == "rewritten by the app meanwhile"


def run_here(work):
    """What the CLI's in_app does when the app is already loaded: run against its database."""
    return work()


def test_set_up_makes_the_keys_once(db, empty_instance):
    made = encryption.set_up(instance=empty_instance, if_missing=False, in_app=run_here)

    assert made is not None
    assert made.unchecked is None
    assert crypto.secrets_path(empty_instance).exists()
    assert crypto.master_key_path(empty_instance).exists()
    assert encryption.set_up(instance=empty_instance, if_missing=True, in_app=run_here) is None
    with pytest.raises(crypto.CryptoError, match="init never overwrites a setup"):
        encryption.set_up(instance=empty_instance, if_missing=False, in_app=run_here)


def test_set_up_refuses_over_values_another_setup_encrypted_and_leaves_nothing(
    db, instance, tmp_path
):
    db.session.add(
        User(username="ana", email="ana@example.com", password_hash="x", totp_secret="s")
    )
    db.session.flush()
    elsewhere = tmp_path / "another-instance"
    elsewhere.mkdir()

    with pytest.raises(crypto.CryptoError, match="already holds 1 encrypted values"):
        encryption.set_up(instance=elsewhere, if_missing=False, in_app=run_here)

    assert not crypto.secrets_path(elsewhere).exists()
    assert not crypto.master_key_path(elsewhere).exists()


def test_reencrypt_moves_every_row_and_commits_each_batch(db, instance):
    db.session.add_all(
        User(username=f"u{n}", email=f"u{n}@example.com", password_hash="x", totp_secret=f"s{n}")
        for n in range(5)
    )
    db.session.flush()
    environment = opened(instance)
    environment.add_data_key()
    commits = []

    done = encryption.reencrypt(
        environment, batch_size=2, commit=lambda: commits.append(db.session.commit())
    )

    assert done.active == 2
    assert done.stale == 0
    assert done.unreadable == {}
    assert [(counts.column, counts.by_version) for counts in done.counts] == [
        ("users.totp_secret", {1: 0, 2: 5})
    ]
    assert len(commits) == 7  # a read and a write for each of 3 batches, then the last read

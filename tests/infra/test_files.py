"""Private files: atomic replacement, mode 0600, a backup, the owner kept."""

import os

import pytest

from app.infra import files

NOBODY = 65534


def test_a_replacement_is_private_and_keeps_the_previous_file(tmp_path):
    path = tmp_path / "secret.txt"
    files.write_private_file(path, "first\n")
    files.write_private_file(path, "second\n")

    assert path.read_text() == "second\n"
    assert files.backup_path(path).read_text() == "first\n"
    for written in (path, files.backup_path(path)):
        assert files.file_mode(written) == "0600"
    assert files.file_mode(tmp_path / "missing") == "missing"


def test_a_leftover_temporary_file_is_reused_with_private_bits(tmp_path):
    path = tmp_path / "secret.txt"
    leftover = tmp_path / "secret.txt.tmp"
    leftover.write_text("half a write")
    leftover.chmod(0o644)

    files.write_private_file(path, "whole\n")

    assert path.read_text() == "whole\n"
    assert files.file_mode(path) == "0600"
    assert not leftover.exists()


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "key"
    files.create_private_file(path, "one\n")

    with pytest.raises(files.FileAlreadyExistsError):
        files.create_private_file(path, "two\n")
    assert path.read_text() == "one\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can hand a file to another user")
def test_a_replacement_written_as_root_keeps_the_owner(tmp_path):
    path = tmp_path / "secret.txt"
    files.write_private_file(path, "first\n")
    os.chown(path, NOBODY, NOBODY)

    files.write_private_file(path, "second\n")

    for written in (path, files.backup_path(path)):
        assert (written.stat().st_uid, written.stat().st_gid) == (NOBODY, NOBODY)

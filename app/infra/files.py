"""Files that hold secrets: written atomically, mode 0600, with a backup."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_MODE = 0o600


class FileAlreadyExistsError(Exception):
    """create_private_file found the file already there."""


def backup_path(path: Path) -> Path:
    """Where the previous version of a file is kept on every write."""
    return path.with_name(path.name + ".bak")


def file_mode(path: Path) -> str:
    """A file's permission bits as 0600, or 'missing'."""
    try:
        return f"{stat.S_IMODE(path.stat().st_mode):04o}"
    except FileNotFoundError:
        return "missing"


def write_private_file(path: Path, text: str, *, keep_backup: bool = True) -> None:
    """Replace a file atomically (temp file, fsync, rename), mode 0600.

    The previous file, if any, is first copied to `<name>.bak` the same way, so
    at every instant both the file and its backup are whole.
    """
    if keep_backup and path.exists():
        _write_and_rename(backup_path(path), path.read_bytes(), owner_of=path)
    _write_and_rename(path, text.encode(), owner_of=path)


def create_private_file(path: Path, text: str) -> None:
    """Write a new file with mode 0600; refuse if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        raise FileAlreadyExistsError(f"{path} already exists; it was not overwritten.") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(text.encode())
        handle.flush()
        os.fsync(handle.fileno())
    sync_directory(path.parent)


def _write_and_rename(path: Path, content: bytes, *, owner_of: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_MODE)  # a leftover temp file may have other bits
        _keep_owner(handle.fileno(), owner_of)
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_directory(path.parent)


def _keep_owner(descriptor: int, path: Path) -> None:
    """Give a new file the owner of `path`, the file it replaces or copies (as root).

    Otherwise `sudo flask crypto …` would leave a root-owned 0600 file the app,
    running as its own user, can no longer read.
    """
    try:
        current = path.stat()
    except FileNotFoundError:
        return
    if os.geteuid() == 0 and (current.st_uid, current.st_gid) != (0, 0):
        os.fchown(descriptor, current.st_uid, current.st_gid)


def sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

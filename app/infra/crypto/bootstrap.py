"""The first setup of an instance: master key, .env.crypto and data key v1, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..files import backup_path
from .environment import EncryptedEnvironment, secrets_path
from .keys import (
    CryptoError,
    MasterKey,
    create_key_file,
    generate_master_key,
    master_key_path,
    parse_master_key,
    pending_master_key_path,
    read_master_key,
)


def check_nothing_lost(instance: Path) -> None:
    """Refuse to start afresh where an earlier setup left traces: it may need restoring.

    A new file would bring a new data key v1, and rows encrypted under the
    lost one would become unreadable with a misleading message.
    """
    path = secrets_path(instance)
    backup = backup_path(path)
    temporary = [candidate.with_name(candidate.name + ".tmp") for candidate in (path, backup)]
    for trace in (backup, *temporary, pending_master_key_path(instance)):
        if trace.exists():
            raise CryptoError(
                f"{path} is missing but {trace} exists: restore the file from it instead "
                f"(cp {trace} {path}). To start afresh anyway, move {trace} away first."
            )
    key_path = master_key_path(instance)
    if key_path.exists():
        raise CryptoError(
            f"{key_path} exists but {path} does not: restore the file from your backup. "
            f"To start afresh anyway, move {key_path} away first."
        )


@dataclass(frozen=True)
class Setup:
    """What `initialize` made."""

    master: MasterKey
    created_key_file: bool
    environment: EncryptedEnvironment


def initialize(instance: Path, *, secret_key: str) -> Setup:
    """Create the master key (unless one exists), .env.crypto, data key v1 and SECRET_KEY."""
    path = secrets_path(instance)
    if path.exists():
        raise CryptoError(f"{path} already exists; it was not overwritten.")
    master = read_master_key(instance)
    created_key_file = master is None
    if master is None:
        key_path = master_key_path(instance)
        create_key_file(key_path, generate_master_key())
        master = parse_master_key(key_path.read_bytes(), str(key_path), key_path)
    environment = EncryptedEnvironment.create(path, master)
    environment.add_data_key()
    environment.set("SECRET_KEY", secret_key)
    environment.save()
    return Setup(master, created_key_file, environment)


def undo_initialize(setup: Setup) -> None:
    """Remove what `initialize` just wrote, before anything used it."""
    setup.environment.path.unlink(missing_ok=True)
    if setup.created_key_file and setup.master.path:
        setup.master.path.unlink(missing_ok=True)

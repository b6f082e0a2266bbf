"""Rekeying: every value in .env.crypto wrapped under a new master key, crash-safe."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..files import backup_path, sync_directory, write_private_file
from .environment import (
    EncryptedEnvironment,
    archives,
    file_fingerprint,
    parse,
    render,
    secrets_path,
)
from .keys import (
    MASTER_KEY_FILE,
    MASTER_KEY_VARIABLE,
    CryptoError,
    MasterKey,
    create_key_file,
    dated_unused_path,
    generate_master_key,
    master_key_path,
    parse_master_key,
    pending_master_key_path,
    read_master_key,
    read_pending_master_key,
)


@dataclass(frozen=True)
class Rekeyed:
    """Where the new master key is, and where the old one went."""

    secrets_file: Path
    new_key: Path
    retired_key: Path | None
    in_environment: bool
    pending_removed: bool = False

    def instructions(self) -> list[str]:
        """What the operator must do next, line by line."""
        backup = backup_path(self.secrets_file)
        lines = [f"Every value in {self.secrets_file} is now wrapped by the new master key."]
        if self.pending_removed:
            return [
                f"{MASTER_KEY_VARIABLE} already holds the new key; removed {self.new_key}, "
                "which is no longer needed."
            ]
        if self.in_environment:
            return [
                *lines,
                f"The new key is in {self.new_key}. Put it in {MASTER_KEY_VARIABLE} wherever "
                f"Marquee runs, restart Marquee, then delete {self.new_key}.",
                f"The old key (still in {MASTER_KEY_VARIABLE} here) now opens only {backup} and "
                "older backups: keep it offline with them, or destroy both.",
            ]
        lines.append(f"The new key is {self.new_key}; back it up now, apart from the file.")
        if self.retired_key:
            lines.append(
                f"The old key was moved to {self.retired_key}. It still opens {backup} and older "
                "backups of the file: keep it offline with them, or destroy both; then delete "
                f"{self.retired_key}."
            )
        return lines


def rekey(environment: EncryptedEnvironment) -> Rekeyed:
    """Wrap every value under a new master key and put that key in place.

    Crash-safe in order: the new key is written first (master.key.new), then
    the file is rewritten under it, then the key file is swapped. Startup
    names master.key.new if the last step did not happen.
    """
    instance = environment.path.parent
    pending = pending_master_key_path(instance)
    if pending.exists():
        # The file opened with the current key, so a rekey that stopped before
        # rewriting it left this key unused: nothing was ever wrapped by it.
        pending.unlink()
    create_key_file(pending, generate_master_key())
    old = environment.master
    new = parse_master_key(pending.read_bytes(), str(pending), pending)
    environment.rewrap(new)
    environment.save()
    rewrap_archives(instance, old, new)
    return _install_new_key(instance, environment.path)


def rewrap_archives(instance: Path, old: MasterKey, new: MasterKey) -> list[Path]:
    """Wrap pruned-key archives under the new master key too, so one key opens everything."""
    rewrapped = []
    for path in archives(instance):
        header, entries, _ended = parse(path, path.read_bytes())
        if not header or header[1] != old.fingerprint:
            continue  # already under the new key, or under one this rekey never held
        lines = [f"{name}={new.encrypt(old.decrypt(token))}" for _number, name, token in entries]
        write_private_file(path, render(new, lines), keep_backup=False)
        rewrapped.append(path)
    return rewrapped


def finish_rekey(instance: Path) -> Rekeyed:
    """Complete a rekey whose last step (swapping the key file) did not happen."""
    pending = pending_master_key_path(instance)
    if not pending.exists():
        raise CryptoError(f"There is no rekey to finish: {pending} does not exist.")
    new = read_pending_master_key(instance)
    path = secrets_path(instance)
    current = read_master_key(instance)
    if current and current.key != new.key and file_fingerprint(path) == current.fingerprint:
        raise CryptoError(
            f"There is no rekey to finish: {path} still opens with the master key from "
            f"{current.source}. {pending} was never used; delete it."
        )
    EncryptedEnvironment.open(path, new)  # refuses unless the file is under this key
    if current is not None and current.key != new.key:
        rewrap_archives(instance, current, new)  # if the rekey stopped before doing so
    if current is not None and current.path is None and current.key == new.key:
        pending.unlink()
        return Rekeyed(path, pending, retired_key=None, in_environment=True, pending_removed=True)
    return _install_new_key(instance, path)


def _install_new_key(instance: Path, path: Path) -> Rekeyed:
    pending = pending_master_key_path(instance)
    if os.environ.get(MASTER_KEY_VARIABLE, "").strip():
        return Rekeyed(path, new_key=pending, retired_key=None, in_environment=True)
    key_path = master_key_path(instance)
    retired = None
    if key_path.exists():
        retired = dated_unused_path(instance, f"{MASTER_KEY_FILE}.retired")
        create_key_file(retired, key_path.read_bytes().strip())
    os.replace(pending, key_path)
    sync_directory(instance)
    return Rekeyed(path, new_key=key_path, retired_key=retired, in_environment=False)

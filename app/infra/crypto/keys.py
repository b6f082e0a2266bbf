"""The master key: where it comes from, its fingerprint, and the files that hold keys.

It comes from MARQUEE_MASTER_KEY or `instance/master.key` (mode 0600) and
wraps every value in `.env.crypto`, never sitting in that file itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from ..files import FileAlreadyExistsError, create_private_file

MASTER_KEY_VARIABLE = "MARQUEE_MASTER_KEY"
MASTER_KEY_FILE = "master.key"


class CryptoError(Exception):
    """Keys or the encrypted file cannot be used; the message says what to do."""


def master_key_path(instance: Path) -> Path:
    """Where the master key file lives."""
    return instance / MASTER_KEY_FILE


def pending_master_key_path(instance: Path) -> Path:
    """Where `rekey` puts a new master key until it replaces the old one."""
    return instance / (MASTER_KEY_FILE + ".new")


@dataclass(frozen=True)
class MasterKey:
    """The key that wraps every value in .env.crypto, and where it came from."""

    key: bytes
    source: str
    path: Path | None = None

    @property
    def fingerprint(self) -> str:
        """A short public name for the key: it shows which key wrote a file."""
        digest = hmac.new(self.key, b"marquee master key fingerprint", hashlib.sha256)
        return digest.hexdigest()[:16]

    def encrypt(self, value: str) -> str:
        """Wrap a value."""
        return Fernet(self.key).encrypt(value.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Unwrap a value; InvalidToken if this key did not wrap it or it was altered."""
        return Fernet(self.key).decrypt(token.encode("ascii")).decode()


def generate_master_key() -> bytes:
    """A new random master key."""
    return Fernet.generate_key()


def parse_master_key(raw: str | bytes, source: str, path: Path | None = None) -> MasterKey:
    """A MasterKey from its text, or a CryptoError naming the source."""
    key = raw.strip().encode("ascii", "replace") if isinstance(raw, str) else raw.strip()
    try:
        Fernet(key)
    except ValueError:
        raise CryptoError(
            f"The master key from {source} is not a valid key: it must be 44 characters of "
            "URL-safe base64, as `flask crypto init` writes."
        ) from None
    return MasterKey(key=key, source=source, path=path)


def read_master_key(instance: Path) -> MasterKey | None:
    """The master key from MARQUEE_MASTER_KEY, else instance/master.key, else None."""
    from_environment = os.environ.get(MASTER_KEY_VARIABLE, "").strip()
    if from_environment:
        return parse_master_key(from_environment, f"the {MASTER_KEY_VARIABLE} environment variable")
    path = master_key_path(instance)
    if not path.exists():
        return None
    check_private(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CryptoError(f"Cannot read the master key {path}: {error.strerror}.") from None
    return parse_master_key(raw, str(path), path)


def read_pending_master_key(instance: Path) -> MasterKey:
    """The key an unfinished rekey left in master.key.new, checked like any key file."""
    pending = pending_master_key_path(instance)
    check_private(pending)
    return parse_master_key(pending.read_bytes(), str(pending), pending)


def check_private(path: Path) -> None:
    """Refuse a key file that anyone but its owner can read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CryptoError(
            f"{path} is open to other users (mode {mode:04o}); a key must be readable by its "
            f"owner alone. Fix it with: chmod 600 {path}"
        )


def create_key_file(path: Path, key: bytes) -> None:
    """Write a key to a new file, mode 0600; a CryptoError if the file exists."""
    try:
        create_private_file(path, key.decode("ascii") + "\n")
    except FileAlreadyExistsError as error:
        raise CryptoError(str(error)) from None


def dated_unused_path(directory: Path, name: str) -> Path:
    """`<name>-<UTC time>` in directory, numbered on if that exists (archives, retired keys)."""
    stem = f"{name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    candidate, number = directory / stem, 1
    while candidate.exists():
        number += 1
        candidate = directory / f"{stem}-{number}"
    return candidate

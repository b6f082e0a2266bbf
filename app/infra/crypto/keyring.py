"""Data keys for encrypted columns: values stored as `v<N>:<token>` under versioned keys."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .keys import CryptoError

_STORED_VALUE = re.compile(r"v([1-9][0-9]*):(.+)", re.DOTALL)


def file_stamp(path: Path) -> tuple[int, int] | None:
    """Which version of a file is on disk: (inode, modification time), or None."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def split_stored(stored: str) -> tuple[int, str]:
    """(version, token) of a stored `v<N>:<token>`."""
    match = _STORED_VALUE.fullmatch(stored)
    if not match:
        raise CryptoError("A value in an encrypted column is not of the form v<N>:<token>.")
    return int(match.group(1)), match.group(2)


@dataclass(frozen=True)
class _Keys:
    fernets: dict[int, Fernet]
    active: int
    stamp: tuple[int, int] | None


class Keyring:
    """Versioned data keys: encrypts with the active one, decrypts with any.

    It watches the file it came from: after a `flask crypto rotate` in another
    process, the next value written uses the new active key, so a retired key
    stops gaining rows before `prune` looks for them. If the changed file
    cannot be read, writes stop with an error rather than use a key that may
    have been pruned.
    """

    def __init__(
        self,
        keys: Mapping[int, bytes],
        active: int,
        *,
        source: Path,
        reopen: Callable[[], Keyring | None],
        stamp: tuple[int, int] | None = None,
    ) -> None:
        fernets = {version: Fernet(key) for version, key in keys.items()}
        self._keys = _Keys(fernets, active, stamp)  # replaced whole, so threads see one state
        self._source = source
        self._reopen = reopen  # a keyring read afresh from `source`, once it has changed

    @property
    def active(self) -> int:
        """The version new values are written with."""
        return self._keys.active

    @property
    def versions(self) -> list[int]:
        """Every version this keyring can read."""
        return sorted(self._keys.fernets)

    def encrypt(self, plaintext: str) -> str:
        """`v<N>:<token>` under the active key. Every value is encrypted, whatever it holds."""
        keys = self._current()
        token = keys.fernets[keys.active].encrypt(plaintext.encode()).decode("ascii")
        return f"v{keys.active}:{token}"

    def decrypt(self, stored: str) -> str:
        """The plaintext of a stored `v<N>:<token>`."""
        version, token = split_stored(stored)
        keys = self._keys
        if version not in keys.fernets:
            keys = self._current()
        fernet = keys.fernets.get(version)
        if fernet is None:
            raise CryptoError(
                f"A value is encrypted with data key v{version}, which {self._source} does "
                "not hold. Restore the key file that has it."
            )
        try:
            return fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise CryptoError(
                f"A value encrypted with data key v{version} does not decrypt: it was altered "
                "or written with another key file."
            ) from None

    def _current(self) -> _Keys:
        keys = self._keys
        if file_stamp(self._source) == keys.stamp:
            return keys
        fresh = self._reopen()
        if fresh is None:
            raise CryptoError(f"{self._source} no longer holds an active data key.")
        self._keys = fresh._keys
        return self._keys

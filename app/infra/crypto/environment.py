"""instance/.env.crypto: the encrypted environment, its file format, lock and backups.

Every value is a Fernet token under the master key. Besides the operator's
secrets (SECRET_KEY, DATABASE_URL, …) the file holds versioned data keys for
encrypted columns and which one is active.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..files import FileAlreadyExistsError, backup_path, create_private_file, write_private_file
from .keyring import Keyring, file_stamp
from .keys import (
    MASTER_KEY_VARIABLE,
    CryptoError,
    MasterKey,
    dated_unused_path,
    master_key_path,
    parse_master_key,
    pending_master_key_path,
    read_master_key,
    read_pending_master_key,
)

SECRETS_FILE = ".env.crypto"
DATA_KEY_PREFIX = "MARQUEE_DATA_KEY_V"
ACTIVE_DATA_KEY = "MARQUEE_DATA_KEY_ACTIVE"
FINGERPRINT_HEADER = "# master key fingerprint: "
END_MARKER = "# end"

NAME_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")
_DATA_KEY_NAME = re.compile(rf"{DATA_KEY_PREFIX}([1-9][0-9]*)")


def secrets_path(instance: Path) -> Path:
    """Where the encrypted environment lives."""
    return instance / SECRETS_FILE


@contextlib.contextmanager
def locked(instance: Path) -> Iterator[None]:
    """Hold the instance's crypto lock, so two commands never write at once."""
    lock = instance / (SECRETS_FILE + ".lock")
    try:
        instance.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise CryptoError(
            f"Cannot open {lock}: {error.strerror}. Run `flask crypto` as the user that owns "
            f"{instance}."
        ) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


class EncryptedEnvironment:
    """The decrypted contents of instance/.env.crypto under one master key."""

    def __init__(
        self,
        path: Path,
        master: MasterKey,
        tokens: Mapping[str, str],
        *,
        stamp: tuple[int, int] | None = None,
    ) -> None:
        self.path = path
        self.master = master
        self._tokens = dict(tokens)
        self._values = {name: master.decrypt(token) for name, token in tokens.items()}
        self.stamp = stamp  # the file's identity when read; keyrings watch it
        self.changed = False

    @classmethod
    def create(cls, path: Path, master: MasterKey) -> EncryptedEnvironment:
        """An empty environment, not yet written."""
        return cls(path, master, {})

    @classmethod
    def open(cls, path: Path, master: MasterKey | None) -> EncryptedEnvironment:
        """Read and decrypt the file, or raise a CryptoError naming the file, key and line."""
        if master is None:
            raise CryptoError(
                f"{path} exists but there is no master key to open it: set "
                f"{MASTER_KEY_VARIABLE}, or restore {master_key_path(path.parent)} (mode 0600) "
                "from your backup."
            )
        stamp = file_stamp(path)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CryptoError(f"Cannot read {path}: {error.strerror}.") from None
        header, lines, ended = parse(path, content)
        failures = [(number, name) for number, name, token in lines if not _opens(master, token)]
        if header and header[1] != master.fingerprint:
            if len(failures) < len(lines):
                raise CryptoError(
                    f"{path}, line {header[0]}: the master key fingerprint line is corrupted "
                    "(every value opens with this key). Change that line to "
                    f"'{FINGERPRINT_HEADER}{master.fingerprint}'."
                    if not failures
                    else f"{path}, line {header[0]}: the master key fingerprint line is "
                    "corrupted, and so is at least one value. Restore the file from "
                    f"{backup_path(path)}."
                )
            raise CryptoError(_wrong_key_message(path, master, header[1]))
        if failures and len(failures) == len(lines) and not header:
            raise CryptoError(_wrong_key_message(path, master, None))
        if failures:
            number, name = failures[0]
            raise CryptoError(
                f"{path}, line {number} ({name}): the value does not decrypt with the master "
                f"key from {master.source}, so the line is corrupted. {_repair_advice(path, name)}"
            )
        environment = cls(path, master, {name: token for _n, name, token in lines}, stamp=stamp)
        environment._check_complete(lines, ended=ended)
        return environment

    def _check_complete(self, lines: list[tuple[int, str, str]], *, ended: bool) -> None:
        """Refuse a file that lost lines, so the app never starts half-configured."""
        if not ended:
            raise CryptoError(
                f"{self.path} does not end with its '{END_MARKER}' line: it was cut short and "
                f"may have lost values. Restore it from {backup_path(self.path)}."
            )
        if not lines:
            raise CryptoError(
                f"{self.path} holds no values: it is truncated. Restore it from "
                f"{backup_path(self.path)}."
            )
        line_of = {name: number for number, name, _token in lines}
        for name in self._values:
            if _DATA_KEY_NAME.fullmatch(name):
                try:
                    Fernet(self._values[name].encode("ascii"))
                except ValueError:
                    raise CryptoError(
                        f"{self.path}, line {line_of[name]} ({name}): not a valid data key. "
                        + _repair_advice(self.path, name)
                    ) from None
        active = self._values.get(ACTIVE_DATA_KEY)
        if active is None and self.data_keys():
            raise CryptoError(
                f"{self.path} holds data keys but no {ACTIVE_DATA_KEY} line: it lost a line. "
                f"Restore the file from {backup_path(self.path)}."
            )
        if active is not None and f"{DATA_KEY_PREFIX}{active}" not in self._values:
            raise CryptoError(
                f"{self.path}, line {line_of[ACTIVE_DATA_KEY]} ({ACTIVE_DATA_KEY}): names data "
                f"key v{active}, which the file does not hold. "
                + _repair_advice(self.path, ACTIVE_DATA_KEY)
            )

    # The operator's secrets.

    def secrets(self) -> dict[str, str]:
        """Every secret the app reads, by name (the data keys left out)."""
        return {name: value for name, value in self._values.items() if not is_reserved(name)}

    def get(self, name: str) -> str | None:
        """One secret's value, or None."""
        return self.secrets().get(name)

    def set(self, name: str, value: str) -> None:
        """Add or replace a secret."""
        check_secret_name(name)
        if self._values.get(name) != value:
            self._put(name, value)

    def unset(self, name: str) -> bool:
        """Remove a secret; False if it was not there."""
        check_secret_name(name)
        if name not in self._values:
            return False
        del self._values[name], self._tokens[name]
        self.changed = True
        return True

    # Data keys for encrypted columns.

    def data_keys(self) -> dict[int, bytes]:
        """Every data key, by version."""
        keys = {}
        for name, value in self._values.items():
            match = _DATA_KEY_NAME.fullmatch(name)
            if match:
                keys[int(match.group(1))] = value.encode("ascii")
        return dict(sorted(keys.items()))

    @property
    def active_version(self) -> int | None:
        """The data key new values are written with."""
        active = self._values.get(ACTIVE_DATA_KEY)
        return int(active) if active else None

    def add_data_key(self) -> int:
        """Create the next data key version and make it active; return its number."""
        version = max(self.data_keys(), default=0) + 1
        self._put(f"{DATA_KEY_PREFIX}{version}", Fernet.generate_key().decode("ascii"))
        self._put(ACTIVE_DATA_KEY, str(version))
        return version

    def remove_data_key(self, version: int) -> str:
        """Forget a retired data key; return its line (still wrapped) for an archive."""
        if version == self.active_version:
            raise CryptoError(f"v{version} is the active data key; it cannot be removed.")
        name = f"{DATA_KEY_PREFIX}{version}"
        token = self._tokens.pop(name)
        del self._values[name]
        self.changed = True
        return f"{name}={token}"

    def keyring(self) -> Keyring | None:
        """The keyring for encrypted columns, or None before the first data key."""
        if self.active_version is None:
            return None
        instance = self.path.parent
        return Keyring(
            self.data_keys(),
            self.active_version,
            source=self.path,
            reopen=lambda: open_during_rekey(instance).keyring(),
            stamp=self.stamp,
        )

    # Writing.

    def rewrap(self, master: MasterKey) -> None:
        """Wrap every value under a new master key (written by the next save)."""
        self.master = master
        self._tokens = {name: master.encrypt(value) for name, value in self._values.items()}
        self.changed = True

    def save(self) -> None:
        """Write the file atomically, mode 0600, keeping the previous one as a backup."""
        entries = [f"{name}={token}" for name, token in self._tokens.items()]
        write_private_file(self.path, render(self.master, entries))
        self.changed = False

    def _put(self, name: str, value: str) -> None:
        self._values[name] = value
        self._tokens[name] = self.master.encrypt(value)
        self.changed = True


def open_during_rekey(instance: Path) -> EncryptedEnvironment:
    """Open .env.crypto with the master key, or with master.key.new while a rekey completes.

    A running server keeps the master key it started with; after a rekey it
    finds the new one in master.key.new until the operator restarts it.
    """
    path = secrets_path(instance)
    try:
        return EncryptedEnvironment.open(path, read_master_key(instance))
    except CryptoError:
        if not pending_master_key_path(instance).exists():
            raise
        new = read_pending_master_key(instance)
        if file_fingerprint(path) != new.fingerprint:
            raise
        return EncryptedEnvironment.open(path, new)


@dataclass(frozen=True)
class Loaded:
    """What start-up takes from the instance folder: secrets and the keyring."""

    secrets: dict[str, str]
    keyring: Keyring | None


def load(instance: Path) -> Loaded:
    """Decrypt instance/.env.crypto if it exists; a CryptoError if it cannot be."""
    path = secrets_path(instance)
    if not path.exists():
        return Loaded(secrets={}, keyring=None)
    environment = EncryptedEnvironment.open(path, read_master_key(instance))
    return Loaded(secrets=environment.secrets(), keyring=environment.keyring())


def render(master: MasterKey, entries: list[str]) -> str:
    """The text of an encrypted file: a header naming the key, then NAME=<token> lines."""
    lines = [
        "# Marquee's encrypted environment: NAME=<Fernet token under the master key>.",
        "# Manage it with `flask crypto`; see the README's section on keys.",
        FINGERPRINT_HEADER + master.fingerprint,
        *entries,
        END_MARKER,  # a file cut short at a line boundary lacks it
    ]
    return "\n".join(lines) + "\n"


def parse(
    path: Path, content: bytes
) -> tuple[tuple[int, str] | None, list[tuple[int, str, str]], bool]:
    """(line number, fingerprint) of the header, (line number, name, token) of each entry, ended."""
    header = None
    entries: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    ended = False
    marker = FINGERPRINT_HEADER.strip()
    for number, raw in enumerate(content.removeprefix(b"\xef\xbb\xbf").splitlines(), start=1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise CryptoError(
                f"{path}, line {number}: not text; the line is corrupted. Restore the file "
                f"from {backup_path(path)}."
            ) from None
        if line.startswith(marker):
            header = (number, line.removeprefix(marker).strip())
            continue
        if line == END_MARKER:
            ended = True
            continue
        if not line or line.startswith("#"):
            continue
        if ended:
            raise CryptoError(
                f"{path}, line {number}: a value after the '{END_MARKER}' line. Move it above "
                "that line."
            )
        name, separator, token = line.partition("=")
        if not separator or not NAME_PATTERN.fullmatch(name) or not token:
            raise CryptoError(
                f"{path}, line {number}: expected NAME=<token>; the line is corrupted. Restore "
                f"the file from {backup_path(path)}, or delete that line."
            )
        if name in seen:
            raise CryptoError(f"{path}, line {number}: {name} appears twice; delete one of them.")
        seen.add(name)
        entries.append((number, name, token))
    return header, entries, ended


def file_fingerprint(path: Path) -> str | None:
    """The fingerprint of the master key a file says it was written with."""
    try:
        header, _entries, _ended = parse(path, path.read_bytes())
    except (OSError, CryptoError):
        return None
    return header[1] if header else None


def is_reserved(name: str) -> bool:
    """Names `flask crypto` manages itself (the data keys)."""
    return name == ACTIVE_DATA_KEY or name.startswith(DATA_KEY_PREFIX)


def check_secret_name(name: str) -> None:
    """Refuse a name that is not an environment-style NAME, or one that is reserved."""
    if not NAME_PATTERN.fullmatch(name):
        raise CryptoError(
            f"{name!r} is not a valid name: use capital letters, digits and underscores, "
            "starting with a letter (for example SECRET_KEY)."
        )
    if is_reserved(name):
        raise CryptoError(f"{name} is a data key; `flask crypto rotate` and `prune` manage those.")


def archive_pruned_keys(environment: EncryptedEnvironment, entries: list[str]) -> Path:
    """Keep pruned data keys, still wrapped, in .env.crypto.pruned-<time> (mode 0600)."""
    path = dated_unused_path(environment.path.parent, f"{SECRETS_FILE}.pruned")
    try:
        create_private_file(path, render(environment.master, entries))
    except FileAlreadyExistsError as error:
        raise CryptoError(str(error)) from None
    return path


def archives(instance: Path) -> list[Path]:
    """The .env.crypto.pruned-<time> files `prune` left."""
    return sorted(instance.glob(f"{SECRETS_FILE}.pruned-*"))


def _opens(master: MasterKey, token: str) -> bool:
    try:
        master.decrypt(token)
    except (InvalidToken, UnicodeError, ValueError):
        return False
    return True


def _repair_advice(path: Path, name: str) -> str:
    backup = (
        f"Restore the file from {backup_path(path)} (after a rekey it opens only with the "
        "retired key)"
    )
    if is_reserved(name):
        return (
            f"{backup}. Do not delete the line: rows encrypted with that data key would become "
            "unreadable."
        )
    return f"{backup}, or delete that line and set {name} again with `flask crypto set`."


def _wrong_key_message(path: Path, master: MasterKey, written_with: str | None) -> str:
    if written_with:
        detail = f"the file was written with key {written_with}; this key is {master.fingerprint}"
    else:
        detail = f"no value in it decrypts; this key is {master.fingerprint}"
    message = f"The master key from {master.source} does not open {path} ({detail})."
    pending = pending_master_key_path(path.parent)
    if written_with and pending.exists():
        try:
            matches = parse_master_key(pending.read_bytes(), str(pending)).fingerprint
        except CryptoError:
            matches = None
        if matches == written_with:
            return (
                f"{message} A `flask crypto rekey` was interrupted: {pending} holds the key the "
                f"file now needs. Run `flask crypto rekey --finish`, or put that key in "
                f"{MASTER_KEY_VARIABLE}."
            )
    return f"{message} Use the key this file was written with."

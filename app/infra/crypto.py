"""Secrets at rest: the master key, instance/.env.crypto and the data keys.

Every value in `.env.crypto` is a Fernet token under the master key, which
comes from MARQUEE_MASTER_KEY or `instance/master.key` and never sits in that
file. Besides the operator's secrets (SECRET_KEY, DATABASE_URL, …) the file
holds versioned data keys for encrypted columns and which one is active. The
`Keyring` built from them encrypts and decrypts column values.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .files import (
    FileAlreadyExistsError,
    backup_path,
    create_private_file,
    sync_directory,
    write_private_file,
)

MASTER_KEY_VARIABLE = "MARQUEE_MASTER_KEY"
MASTER_KEY_FILE = "master.key"
SECRETS_FILE = ".env.crypto"
DATA_KEY_PREFIX = "MARQUEE_DATA_KEY_V"
ACTIVE_DATA_KEY = "MARQUEE_DATA_KEY_ACTIVE"
FINGERPRINT_HEADER = "# master key fingerprint: "
END_MARKER = "# end"

NAME_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")
_DATA_KEY_NAME = re.compile(rf"{DATA_KEY_PREFIX}([1-9][0-9]*)")
_STORED_VALUE = re.compile(r"v([1-9][0-9]*):(.+)", re.DOTALL)


class CryptoError(Exception):
    """Keys or the encrypted file cannot be used; the message says what to do."""


def master_key_path(instance: Path) -> Path:
    """Where the master key file lives."""
    return instance / MASTER_KEY_FILE


def secrets_path(instance: Path) -> Path:
    """Where the encrypted environment lives."""
    return instance / SECRETS_FILE


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


def check_private(path: Path) -> None:
    """Refuse a key file that anyone but its owner can read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CryptoError(
            f"{path} is open to other users (mode {mode:04o}); a key must be readable by its "
            f"owner alone. Fix it with: chmod 600 {path}"
        )


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
        header, lines, ended = _parse(path, content)
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
        return Keyring(self.data_keys(), self.active_version, source=self.path, stamp=self.stamp)

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


def file_stamp(path: Path) -> tuple[int, int] | None:
    """Which version of a file is on disk: (inode, modification time), or None."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


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


def file_fingerprint(path: Path) -> str | None:
    """The fingerprint of the master key a file says it was written with."""
    try:
        header, _entries, _ended = _parse(path, path.read_bytes())
    except (OSError, CryptoError):
        return None
    return header[1] if header else None


def _parse(path: Path, content: bytes) -> tuple[tuple[int, str] | None, list[tuple[int, str, str]]]:
    """(line number, fingerprint) of the header, and (line number, name, token) of each entry."""
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
        stamp: tuple[int, int] | None = None,
    ) -> None:
        fernets = {version: Fernet(key) for version, key in keys.items()}
        self._keys = _Keys(fernets, active, stamp)  # replaced whole, so threads see one state
        self._source = source

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
        stamp = file_stamp(self._source)
        if stamp == keys.stamp:
            return keys
        fresh = open_during_rekey(self._source.parent)
        if fresh.active_version is None:
            raise CryptoError(f"{self._source} no longer holds an active data key.")
        fernets = {version: Fernet(key) for version, key in fresh.data_keys().items()}
        self._keys = _Keys(fernets, fresh.active_version, fresh.stamp)
        return self._keys


def open_during_rekey(instance: Path) -> EncryptedEnvironment:
    """Open .env.crypto with the master key, or with master.key.new while a rekey completes.

    A running server keeps the master key it started with; after a rekey it
    finds the new one in master.key.new until the operator restarts it.
    """
    path = secrets_path(instance)
    try:
        return EncryptedEnvironment.open(path, read_master_key(instance))
    except CryptoError:
        pending = pending_master_key_path(instance)
        if not pending.exists():
            raise
        check_private(pending)
        new = parse_master_key(pending.read_bytes(), str(pending), pending)
        if file_fingerprint(path) != new.fingerprint:
            raise
        return EncryptedEnvironment.open(path, new)


def split_stored(stored: str) -> tuple[int, str]:
    """(version, token) of a stored `v<N>:<token>`."""
    match = _STORED_VALUE.fullmatch(stored)
    if not match:
        raise CryptoError("A value in an encrypted column is not of the form v<N>:<token>.")
    return int(match.group(1)), match.group(2)


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


def archive_pruned_keys(environment: EncryptedEnvironment, entries: list[str]) -> Path:
    """Keep pruned data keys, still wrapped, in .env.crypto.pruned-<time> (mode 0600)."""
    path = _unused_name(environment.path.parent, f"{SECRETS_FILE}.pruned-{_timestamp()}")
    try:
        create_private_file(path, render(environment.master, entries))
    except FileAlreadyExistsError as error:
        raise CryptoError(str(error)) from None
    return path


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
        _create_key_file(key_path, generate_master_key())
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
    _create_key_file(pending, generate_master_key())
    old = environment.master
    new = parse_master_key(pending.read_bytes(), str(pending), pending)
    environment.rewrap(new)
    environment.save()
    rewrap_archives(instance, old, new)
    return _install_new_key(instance, environment.path)


def archives(instance: Path) -> list[Path]:
    """The .env.crypto.pruned-<time> files `prune` left."""
    return sorted(instance.glob(f"{SECRETS_FILE}.pruned-*"))


def rewrap_archives(instance: Path, old: MasterKey, new: MasterKey) -> list[Path]:
    """Wrap pruned-key archives under the new master key too, so one key opens everything."""
    rewrapped = []
    for path in archives(instance):
        header, entries, _ended = _parse(path, path.read_bytes())
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
    check_private(pending)
    new = parse_master_key(pending.read_bytes(), str(pending), pending)
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
        retired = _unused_name(instance, f"{MASTER_KEY_FILE}.retired-{_timestamp()}")
        _create_key_file(retired, key_path.read_bytes().strip())
    os.replace(pending, key_path)
    sync_directory(instance)
    return Rekeyed(path, new_key=key_path, retired_key=retired, in_environment=False)


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _unused_name(directory: Path, name: str) -> Path:
    candidate, number = directory / name, 1
    while candidate.exists():
        number += 1
        candidate = directory / f"{name}-{number}"
    return candidate


def _create_key_file(path: Path, key: bytes) -> None:
    try:
        create_private_file(path, key.decode("ascii") + "\n")
    except FileAlreadyExistsError as error:
        raise CryptoError(str(error)) from None

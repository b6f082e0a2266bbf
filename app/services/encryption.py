"""Encryption at rest: an instance's first setup, and its encrypted columns.

Columns: rows per data key, re-encryption in batches. Values are read and
written here as stored text (`v<N>:<token>`), past the EncryptedString type,
so each row is decrypted with its own version and re-encrypted with the
active one exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Table,
    Text,
    bindparam,
    func,
    inspect,
    select,
    type_coerce,
)
from sqlalchemy import update as update_statement
from sqlalchemy.exc import OperationalError

from ..infra import config, crypto
from ..infra.crypto import CryptoError, EncryptedEnvironment, Keyring
from ..infra.db import SchemaProblem, db, schema_problem
from ..infra.progress import Progress
from ..models.types import EncryptedString

T = TypeVar("T")


@dataclass(frozen=True)
class EncryptedColumn:
    """One column of EncryptedString type, with the key that finds its rows."""

    table: Table
    column: Column

    @property
    def name(self) -> str:
        """table.column, as operators read it."""
        return f"{self.table.name}.{self.column.name}"

    @property
    def key(self) -> Column:
        """The table's single-column primary key."""
        (key,) = self.table.primary_key.columns
        return key

    @property
    def stored(self) -> ColumnElement[str]:
        """The column as stored text, with no decryption."""
        return type_coerce(self.column, Text)


def encrypted_columns() -> list[EncryptedColumn]:
    """Every EncryptedString column in the schema."""
    return [
        EncryptedColumn(table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    ]


@dataclass
class ColumnCounts:
    """Rows of one column by data key version; `other` is rows no known version reads."""

    column: str
    by_version: dict[int, int] = field(default_factory=dict)
    other: int = 0


def _prefix(version: int) -> str:
    return f"v{version}:%"


def rows_per_version(versions: Iterable[int]) -> list[ColumnCounts]:
    """For each encrypted column, how many rows each data key version encrypts."""
    versions = sorted(versions)
    results = []
    for encrypted in encrypted_columns():
        stored = encrypted.stored
        counts = [func.count(stored)]
        counts += [func.count(stored).filter(stored.like(_prefix(v))) for v in versions]
        total, *per_version = db.session.execute(select(*counts)).one()
        by_version = dict(zip(versions, per_version, strict=True))
        results.append(ColumnCounts(encrypted.name, by_version, other=total - sum(per_version)))
    return results


def total_per_version(counts: Iterable[ColumnCounts]) -> dict[int, int]:
    """Rows per version over every column."""
    totals: dict[int, int] = {}
    for column in counts:
        for version, rows in column.by_version.items():
            totals[version] = totals.get(version, 0) + rows
    return totals


def count_encrypted_values() -> int:
    """Non-empty encrypted values in the database; tables not created yet hold none."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return 0  # no database yet; asking would create an empty file
    existing = set(inspect(db.engine).get_table_names())
    total = 0
    for encrypted in encrypted_columns():
        if encrypted.table.name in existing:
            total += db.session.scalar(select(func.count(encrypted.stored))) or 0
    return total


def count_stale(encrypted: EncryptedColumn, active: int) -> int:
    """Rows of a column not yet encrypted with the active version."""
    stored = encrypted.stored
    query = select(func.count()).where(stored.is_not(None), stored.not_like(_prefix(active)))
    return db.session.scalar(query) or 0


@dataclass
class Batch:
    """One batch of re-encryption; `last_key` is None when the column is done."""

    last_key: int | None
    changes: list[dict[str, object]] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)


def plan_batch(
    encrypted: EncryptedColumn, keyring: Keyring, *, after: int | None, size: int
) -> Batch:
    """Read the next `size` stale rows after key `after` and encrypt them with the active key.

    Nothing is written: the caller ends this read before `apply_batch`, so on
    SQLite the write starts a transaction of its own and waits its turn
    behind the app's writers instead of failing. Rows that do not decrypt are
    skipped and reported.
    """
    stored, key = encrypted.stored, encrypted.key
    query = select(key, stored).where(stored.is_not(None), stored.not_like(_prefix(keyring.active)))
    if after is not None:
        query = query.where(key > after)
    rows = db.session.execute(query.order_by(key).limit(size)).all()
    if not rows:
        return Batch(last_key=None)
    batch = Batch(last_key=rows[-1][0])
    for row_key, value in rows:
        try:
            plaintext = keyring.decrypt(value)
        except CryptoError:
            batch.unreadable.append(row_key)
            continue
        batch.changes.append(
            {"b_key": row_key, "b_old": value, "b_new": keyring.encrypt(plaintext)}
        )
    return batch


def apply_batch(encrypted: EncryptedColumn, batch: Batch) -> int:
    """Write a planned batch; return the rows changed.

    An update lands only where the row still holds the value read, so a row
    the app rewrote meanwhile is left alone (it is current, or the next run
    takes it). Re-encrypting is not an edit: `updated_at` keeps its value.
    """
    if not batch.changes:
        return 0
    table, key, stored = encrypted.table, encrypted.key, encrypted.stored
    values: dict[Any, Any] = {encrypted.column: bindparam("b_new", type_=Text)}
    if "updated_at" in table.c:
        values[table.c.updated_at] = table.c.updated_at
    statement = (
        update_statement(table)
        .where(key == bindparam("b_key"), stored == bindparam("b_old", type_=Text))
        .values(values)
    )
    return db.session.connection().execute(statement, batch.changes).rowcount


class InApp(Protocol):
    """Runs `work` against the app's database, or returns why that cannot be done."""

    def __call__(self, work: Callable[[], T], /) -> T | str: ...


@dataclass(frozen=True)
class SetUp:
    """What `set_up` made, and which SECRET_KEY it kept."""

    setup: crypto.Setup
    found: list[crypto.PlaintextSecretKey]  # every plaintext SECRET_KEY, out of config files now
    adopted: crypto.PlaintextSecretKey | None  # the one kept, when one was usable
    unchecked: str | None  # why the database could not be searched for encrypted values


def set_up(*, instance: Path, if_missing: bool, in_app: InApp) -> SetUp | None:
    """Create the instance's keys and .env.crypto, keeping the SECRET_KEY it already uses.

    None when it is already set up and `if_missing` allows that. Refuses (and
    removes what it wrote) where the database holds values another setup
    encrypted.
    """
    path = crypto.secrets_path(instance)
    with crypto.locked(instance):
        if path.exists():
            if if_missing:
                return None
            raise CryptoError(
                f"{path} already exists; init never overwrites a setup. See `flask crypto status`."
            )
        crypto.check_nothing_lost(instance)
        found = crypto.plaintext_secret_keys(instance, config.ENVIRONMENTS)
        adopted = next((candidate for candidate in found if candidate.usable), None)
        secret_key = adopted.value if adopted else crypto.new_secret_key()
        setup = crypto.initialize(instance, secret_key=secret_key)
        # Only now can a production app load (it needs the SECRET_KEY) and be asked.
        try:
            unchecked = _check_no_encrypted_values(in_app)
        except CryptoError:
            crypto.undo_initialize(setup)
            raise
        for stale in found:
            if stale.path:
                crypto.remove_secret_key(stale.path)
    return SetUp(setup, found, adopted, unchecked)


def _check_no_encrypted_values(in_app: InApp) -> str | None:
    """Refuse a new data key v1 over rows another setup encrypted; say why if unchecked."""
    problem = in_app(schema_problem)
    if isinstance(problem, SchemaProblem) and problem.empty:
        return None  # a fresh install: nothing is stored, so nothing is encrypted
    found = in_app(count_encrypted_values)
    if isinstance(found, str):
        return found
    if found:
        raise CryptoError(
            f"The database already holds {found:,} encrypted values, written with another "
            ".env.crypto: a new setup could not read them. Copy instance/.env.crypto and its "
            "master key from the server that wrote them."
        )
    return None


class ReencryptionInterruptedError(CryptoError):
    """`reencrypt` stopped part-way; the batches before the failing one are committed."""


@dataclass(frozen=True)
class Reencrypted:
    """Rows per data key version after `reencrypt`, and the rows it could not move."""

    active: int
    counts: list[ColumnCounts]
    unreadable: dict[str, list[int]]  # keys of rows that did not decrypt, by column
    stale: int  # rows written with an older key while it ran


def reencrypt(
    environment: EncryptedEnvironment, *, batch_size: int, commit: Callable[[], None]
) -> Reencrypted:
    """Re-encrypt every encrypted column with the active data key, batch by batch.

    The one operation that commits as it goes, through `commit`: each batch
    on its own, so an interrupted run loses nothing and the next one carries
    on. The caller rolls back the batch in progress on ReencryptionInterruptedError.
    """
    keyring = environment.keyring()
    if keyring is None:
        raise CryptoError("There is no data key yet: run `flask crypto rotate` first.")
    unreadable: dict[str, list[int]] = {}
    committed = 0
    try:
        for column in encrypted_columns():
            progress = Progress(column.name, count_stale(column, keyring.active))
            after = None
            while True:
                batch = plan_batch(column, keyring, after=after, size=batch_size)
                commit()  # end the read; the write waits its turn on SQLite
                if batch.last_key is None:
                    break
                changed = apply_batch(column, batch)
                committed += changed
                commit()
                progress.advance(changed)
                unreadable.setdefault(column.name, []).extend(batch.unreadable)
                after = batch.last_key
            progress.finish()
    except (KeyboardInterrupt, OperationalError) as error:
        reason = (
            "Interrupted"
            if isinstance(error, KeyboardInterrupt)
            # Statement parameters are hidden, so the driver's words are safe to show.
            else f"The database failed ({str(error.orig).strip().splitlines()[0]})"
        )
        raise ReencryptionInterruptedError(
            f"{reason}. {committed:,} rows were re-encrypted and committed; the batch "
            "in progress was rolled back. Run `flask crypto reencrypt` again to finish."
        ) from None
    counts = rows_per_version(keyring.versions)
    stale = sum(
        rows
        for column in counts
        for version, rows in column.by_version.items()
        if version != keyring.active
    )
    failures = {name: keys for name, keys in unreadable.items() if keys}
    return Reencrypted(keyring.active, counts, failures, stale)

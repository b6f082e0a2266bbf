"""Encrypted columns in the database: rows per data key, re-encryption in batches.

Values are read and written here as stored text (`v<N>:<token>`), past the
EncryptedString type, so each row is decrypted with its own version and
re-encrypted with the active one exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

from ..infra.crypto import CryptoError, Keyring
from ..infra.db import db
from ..models.types import EncryptedString


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

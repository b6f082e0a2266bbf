"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ..infra.crypto import CryptoError, Keyring


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EncryptedString(TypeDecorator[str]):
    """Text encrypted with the active data key, stored as `v<N>:<token>`.

    Every value written is encrypted, even one that already looks like
    `v1:…`, so nothing a user supplies is ever stored as is. Reading picks
    the key by the version in the value, so rows outlive a key rotation.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return current_keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return current_keyring().decrypt(value)


def current_keyring() -> Keyring:
    """The running app's keyring, or a CryptoError saying how to create one."""
    keyring = current_app.extensions.get("marquee.keyring")
    if keyring is None:
        raise CryptoError(
            "No data key to encrypt columns with: run `flask crypto init` (or `flask crypto "
            "rotate` if instance/.env.crypto has no data key yet)."
        )
    return keyring

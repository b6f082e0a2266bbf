"""The SECRET_KEY: what makes one usable, and its move from plaintext into .env.crypto.

An install that predates `flask crypto init` keeps its SECRET_KEY in
FLASK_SECRET_KEY or instance/config.<env>.json; init adopts it, so sessions
and every server sharing it stay valid, then drops it from the config files.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import write_private_file

INSECURE_SECRET_KEY = "insecure-default-change-me"  # noqa: S105 (the sentinel prod refuses)
MIN_SECRET_KEY_LENGTH = 32


def new_secret_key() -> str:
    """A new random SECRET_KEY, comfortably longer than the minimum."""
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class PlaintextSecretKey:
    """A SECRET_KEY an install already uses outside .env.crypto, and where it is."""

    value: str
    source: str
    path: Path | None = None  # the config file holding it, if that is where

    @property
    def usable(self) -> bool:
        """Long and random enough to keep (sessions signed with it stay valid)."""
        return self.value != INSECURE_SECRET_KEY and len(self.value) >= MIN_SECRET_KEY_LENGTH


def plaintext_secret_keys(instance: Path, environments: Sequence[str]) -> list[PlaintextSecretKey]:
    """Every SECRET_KEY an install keeps outside .env.crypto, the one to keep first.

    FLASK_SECRET_KEY comes first, then production's file (its key is shared by
    every server, so it must survive), then MARQUEE_ENV's, then the rest of
    `environments`.
    """
    found = []
    from_environment = os.environ.get("FLASK_SECRET_KEY")
    if from_environment:
        found.append(
            PlaintextSecretKey(from_environment, "the FLASK_SECRET_KEY environment variable")
        )
    order = ["prod", os.environ.get("MARQUEE_ENV", "dev"), *environments]
    for env_name in dict.fromkeys(order):
        path = instance / f"config.{env_name}.json"
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # missing, or start-up reports it
        value = settings.get("SECRET_KEY") if isinstance(settings, dict) else None
        if value:
            found.append(PlaintextSecretKey(str(value), str(path), path))
    return found


def remove_secret_key(path: Path) -> None:
    """Drop SECRET_KEY from a config file once .env.crypto holds it."""
    settings = json.loads(path.read_text(encoding="utf-8"))
    settings.pop("SECRET_KEY", None)
    text = json.dumps(settings, indent=2, sort_keys=True) + "\n"
    write_private_file(path, text, keep_backup=False)

"""Avatar files under the media folder: one WebP file a size, named by a random stem."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from ...infra.files import sync_directory
from .images import SIZES

AVATARS_DIR = "avatars"
_STEM = re.compile(r"[0-9a-f]{32}")


def store(media_dir: Path, images: Mapping[int, bytes]) -> str:
    """Write an avatar's images under a new random stem; return the stem."""
    if set(images) != set(SIZES):
        raise ValueError(f"avatar images must be exactly the sizes {SIZES}, not {sorted(images)}")
    directory = media_dir / AVATARS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(16)
    written: list[Path] = []
    try:
        for size in SIZES:
            path = _path(media_dir, stem, size)
            _write_atomically(path, images[size])
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    sync_directory(directory)
    return stem


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never follow or reuse something already at that name.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove(media_dir: Path, stem: str | None) -> None:
    """Delete an avatar's files; a missing file, None or an invalid stem is nothing to do."""
    if not is_valid_stem(stem):
        return
    for size in SIZES:
        _path(media_dir, stem, size).unlink(missing_ok=True)


def path_for(media_dir: Path, stem: str, size: int) -> Path | None:
    """The file of an avatar at a size, or None for an invalid stem or size or a missing file."""
    if not is_valid_stem(stem) or type(size) is not int or size not in SIZES:
        return None
    path = _path(media_dir, stem, size)
    return path if path.is_file() else None


def is_valid_stem(stem: object) -> bool:
    """Whether a value has the shape of a stem `store` makes (32 lowercase hex digits)."""
    return isinstance(stem, str) and _STEM.fullmatch(stem) is not None


def _path(media_dir: Path, stem: str, size: int) -> Path:
    return media_dir / AVATARS_DIR / f"{stem}-{size}.webp"

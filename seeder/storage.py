"""Files the stages share: raw TMDB replies and processed JSON Lines, written atomically."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RAW = "raw"
PROCESSED = "processed"
PROCESSED_FILES = ("genres", "people", "movies", "credits")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class RawStore:
    """raw/movies/<id>.json, raw/people/<id>.json, raw/genres.json (genres.<language>.json
    for the catalog's other languages) and raw/not_found.json."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.movies_dir = self.root / "movies"
        self.people_dir = self.root / "people"
        self.genres_path = self.root / "genres.json"
        self.not_found_path = self.root / "not_found.json"

    def genres_path_in(self, language: str) -> Path:
        """Where the genre list in another catalog language is kept: genres.pt-BR.json."""
        return self.root / f"genres.{language}.json"

    def movie_path(self, movie_id: int) -> Path:
        """Where a movie's reply is kept."""
        return self.movies_dir / f"{movie_id}.json"

    def person_path(self, person_id: int) -> Path:
        """Where a person's reply is kept."""
        return self.people_dir / f"{person_id}.json"

    def movie_ids(self) -> list[int]:
        """Ids of every stored movie, ascending."""
        return _ids_in(self.movies_dir)

    def person_ids(self) -> list[int]:
        """Ids of every stored person, ascending."""
        return _ids_in(self.people_dir)

    def remove_leftovers(self, *, older_than: float = 0.0) -> int:
        """Delete temporary files a killed run left behind; return how many.

        `older_than` (seconds) spares the files of a run still writing (a job
        refreshing one record while a sync runs).
        """
        removed = 0
        cutoff = time.time() - older_than
        for folder in (self.root, self.movies_dir, self.people_dir):
            for leftover in folder.glob(".*.tmp") if folder.exists() else ():
                try:
                    if leftover.stat().st_mtime > cutoff:
                        continue
                except FileNotFoundError:
                    continue
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    @contextmanager
    def not_found_lock(self) -> Iterator[None]:
        """Hold the raw folder's lock while reading, changing and writing not_found.json."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".not_found.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read_not_found(self) -> dict[str, set[int]]:
        """Ids TMDB answered 404 for, by kind ("movies", "people")."""
        try:
            data = json.loads(self.not_found_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"movies": set(), "people": set()}
        return {kind: set(data.get(kind, [])) for kind in ("movies", "people")}

    def write_not_found(self, not_found: dict[str, set[int]]) -> None:
        """Remember 404s so reruns skip them (until --refresh)."""
        write_json_atomic(
            self.not_found_path, {kind: sorted(ids) for kind, ids in not_found.items()}
        )


def _ids_in(folder: Path) -> list[int]:
    if not folder.exists():
        return []
    return sorted(int(path.stem) for path in folder.glob("*.json") if path.stem.isdigit())


def read_json(path: Path) -> Any:
    """Parse a JSON file."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


class JsonLinesWriter:
    """Writes one JSON object a line to a temporary file, renamed into place on commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._temporary = path.with_name(f".{path.name}.tmp")
        self._handle = self._temporary.open("w", encoding="utf-8")
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        self._handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        self._handle.write("\n")
        self.count += 1

    def commit(self) -> None:
        """Flush to disk and move the file into place."""
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._temporary, self.path)

    def abort(self) -> None:
        """Drop what was written."""
        self._handle.close()
        self._temporary.unlink(missing_ok=True)


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def count_lines(path: Path) -> int:
    """Number of records in a JSON Lines file (0 when missing)."""
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def write_json_lines(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records atomically; return how many."""
    writer = JsonLinesWriter(path)
    try:
        for record in records:
            writer.write(record)
    except BaseException:
        writer.abort()
        raise
    writer.commit()
    return writer.count

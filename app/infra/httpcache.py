"""HTTP caching: fingerprinted static files, the release id and default Cache-Control.

Static URLs carry a digest of the file's content (`css/marquee.3f2a9c1b0d.css`),
so a browser keeps each for a year and a deploy that changes a file changes
its URL. The release id is a digest of the code, templates and static files:
page ETags include it, so a deploy invalidates every page a browser holds.
Pages for anonymous visitors get their validators in routes/caching.py.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory
from flask_login import current_user

ONE_YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 10
_FINGERPRINTED = re.compile(
    rf"(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)"
)
_RELEASE_FILES = ("*.py", "*.jinja2", "*.txt", "*.po")


class Fingerprints:
    """Content digests of the static files, computed on first use.

    With `watch` (the dev server) a file whose size or time changed is hashed
    again, so an edited stylesheet gets a new URL without a restart.
    """

    def __init__(self, folder: Path, *, watch: bool) -> None:
        self.folder = folder.resolve()
        self.watch = watch
        self._known: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        """The file's digest, or None when there is no such file under the folder."""
        known = self._known.get(filename)
        if known is not None and not self.watch:
            return known[1]
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        stat = path.stat()
        signature = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == signature:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
        with self._lock:
            self._known[filename] = (signature, digest)
        return digest

    def url_name(self, filename: str) -> str:
        """`name.<digest>.ext` for a static file; unchanged if it is missing or has no extension."""
        stem, dot, suffix = filename.rpartition(".")
        digest = self.digest(filename)
        if digest is None or not dot or "/" in suffix:
            return filename
        return f"{stem}.{digest}.{suffix}"

    def all_digests(self) -> list[str]:
        """Every static file with its digest, in a stable order."""
        return [
            f"{path.relative_to(self.folder)}:{self.digest(str(path.relative_to(self.folder)))}"
            for path in sorted(self.folder.rglob("*"))
            if path.is_file()
        ]


def init_app(app: Flask) -> None:
    """Fingerprint static URLs, serve them for a year, default Cache-Control, release id."""
    fingerprints = Fingerprints(Path(app.static_folder), watch=app.debug)
    app.extensions["fingerprints"] = fingerprints
    app.extensions["release"] = release_of(Path(app.root_path), fingerprints)

    @app.url_defaults
    def fingerprint_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprints.url_name(values["filename"])

    app.view_functions["static"] = serve_static
    app.after_request(default_cache_control)


def serve_static(filename: str) -> Response:
    """A static file: immutable for a year under its current fingerprint, else revalidated."""
    fingerprints: Fingerprints = current_app.extensions["fingerprints"]
    match = _FINGERPRINTED.fullmatch(filename)
    if match is not None:
        original = match["stem"] + match["suffix"]
        if fingerprints.digest(original) == match["digest"]:
            response = send_from_directory(fingerprints.folder, original, max_age=ONE_YEAR)
            response.cache_control.public = True
            response.cache_control.immutable = True
            return response
        # A page from an earlier release asks for an older version: send today's
        # file, but never let it be kept under that name.
        filename = original if fingerprints.digest(original) else filename
    return current_app.send_static_file(filename)


def default_cache_control(response: Response) -> Response:
    """Pages without their own policy are revalidated, and kept private once signed in."""
    if "Cache-Control" not in response.headers:
        response.cache_control.no_cache = True
        if current_user.is_authenticated:
            response.cache_control.private = True
    return response


def release_of(root: Path, fingerprints: Fingerprints) -> tuple[str, datetime]:
    """A digest of the app's code, templates and static files, and when they last changed."""
    digest = hashlib.sha256()
    newest = 0.0
    for pattern in _RELEASE_FILES:
        for path in sorted(root.rglob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    for line in fingerprints.all_digests():
        digest.update(line.encode())
    for path in fingerprints.folder.rglob("*"):
        newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:DIGEST_LENGTH], datetime.fromtimestamp(int(newest), UTC)

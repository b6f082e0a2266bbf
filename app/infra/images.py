"""Image URLs: TMDB's CDN when a path exists (placeholders are app/infra/placeholders.py)."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from flask import Flask, current_app

# TMDB's image configuration (GET /configuration): the sizes it serves.
POSTER_SIZES = ("w92", "w154", "w185", "w342", "w500", "w780", "original")
PROFILE_SIZES = ("w45", "w185", "h632", "original")
BACKDROP_SIZES = ("w300", "w780", "w1280", "original")
IMAGE_SIZES = frozenset(POSTER_SIZES + PROFILE_SIZES + BACKDROP_SIZES)


def tmdb_image_url(path: str | None, size: str = "w342", *, base: str | None = None) -> str | None:
    """Full URL of a TMDB image path at one of TMDB's sizes, or None without a path.

    `base` defaults to the current app's TMDB_IMAGE_BASE_URL.
    """
    if size not in IMAGE_SIZES:
        raise ValueError(f"TMDB serves no image size {size!r}")
    if not path:
        return None
    base = (base or current_app.config["TMDB_IMAGE_BASE_URL"]).rstrip("/")
    return f"{base}/{size}/{quote(path.lstrip('/'))}"


def configure(app: Flask) -> None:
    """The template filter `path | tmdb_image('w342')`."""
    app.jinja_env.filters["tmdb_image"] = partial(
        tmdb_image_url, base=app.config["TMDB_IMAGE_BASE_URL"]
    )

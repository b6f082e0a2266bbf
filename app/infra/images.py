"""Image URLs: TMDB's CDN when a path exists, else a generated SVG placeholder."""

from __future__ import annotations

import hashlib
from base64 import b64encode
from functools import lru_cache, partial
from urllib.parse import quote

from flask import Flask, current_app
from markupsafe import escape

# TMDB's image configuration (GET /configuration): the sizes it serves.
POSTER_SIZES = ("w92", "w154", "w185", "w342", "w500", "w780", "original")
PROFILE_SIZES = ("w45", "w185", "h632", "original")
BACKDROP_SIZES = ("w300", "w780", "w1280", "original")
IMAGE_SIZES = frozenset(POSTER_SIZES + PROFILE_SIZES + BACKDROP_SIZES)


def initials(name: str) -> str:
    """Up to two initials: 'The Godfather' → 'TG', 'Zoë' → 'Z', '七人の侍' → '七'."""
    words = [word for word in name.split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "?"


def placeholder_colour(name: str) -> str:
    """A calm colour picked from the name, the same every time."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue}, 35%, 32%)"


@lru_cache(maxsize=16_384)  # each card uses it twice (src and fallback)
def placeholder_data_uri(name: str) -> str:
    """An SVG (2:3) with the initials on a colour derived from the name, as a data: URI."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300">'
        f'<rect width="200" height="300" fill="{placeholder_colour(name)}"/>'
        '<text x="100" y="165" font-family="system-ui,sans-serif" font-size="64" '
        f'font-weight="600" fill="#f1f3f5" text-anchor="middle">{escape(initials(name))}</text>'
        "</svg>"
    )
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


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
    """Template filters: `path | tmdb_image('w342')` and `name | placeholder_image`."""
    app.jinja_env.filters["tmdb_image"] = partial(
        tmdb_image_url, base=app.config["TMDB_IMAGE_BASE_URL"]
    )
    app.jinja_env.filters["placeholder_image"] = placeholder_data_uri

"""Jinja settings and the helpers every template may use."""

from __future__ import annotations

from flask import Flask

AUTOESCAPED_SUFFIXES = (".jinja2", ".html", ".htm", ".xml", ".xhtml", ".svg")


def autoescape(template_name: str | None) -> bool:
    """Escape .jinja2 templates too: Flask by default only escapes .html and friends."""
    return template_name is None or template_name.endswith(AUTOESCAPED_SUFFIXES)


def configure(app: Flask) -> None:
    """Autoescaping for .jinja2 files, tidy whitespace and template globals."""
    app.jinja_options = {
        **app.jinja_options,
        "autoescape": autoescape,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    app.jinja_env.globals["site_name"] = "Marquee"
    app.jinja_env.filters["tmdb_image"] = _tmdb_image_filter(app)


def _tmdb_image_filter(app: Flask):
    base = app.config["TMDB_IMAGE_BASE_URL"].rstrip("/")

    def tmdb_image(path: str | None, size: str = "w342") -> str | None:
        """Full URL of a TMDB image path at a given size, or None."""
        return f"{base}/{size}{path}" if path else None

    return tmdb_image

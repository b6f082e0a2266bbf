"""Jinja settings and the helpers every template may use."""

from __future__ import annotations

from flask import Flask

from . import images

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
    images.configure(app)

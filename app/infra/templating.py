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
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["runtime"] = runtime
    images.configure(app)


def money(amount: int | None) -> str:
    """'$63,000,000', or an empty string when unknown (TMDB uses 0 for unknown)."""
    return f"${amount:,}" if amount else ""


def runtime(minutes: int | None) -> str:
    """'2h 19m', '45m', or an empty string when unknown."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if hours else f"{rest}m"

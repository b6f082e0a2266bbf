"""Jinja settings and the helpers every template may use."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Flask, request
from markupsafe import Markup, escape

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
    app.jinja_env.globals["movie_url"] = movie_url
    app.jinja_env.globals["person_url"] = person_url
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["runtime"] = runtime
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["date"] = format_date
    images.configure(app)


def movie_url(movie: Any) -> str:
    """The movie page's path, as url_for('movies.detail') builds it, without its cost.

    Long lists (a 300-credit filmography) link hundreds of movies; building
    each link through the URL map costs more than rendering the row.
    """
    return f"{request.script_root}/movies/{movie.id}-{quote(movie.slug)}"


def person_url(person: Any) -> str:
    """The person page's path, as url_for('people.detail') builds it."""
    return f"{request.script_root}/people/{person.id}-{quote(person.slug)}"


def money(amount: int | None) -> str:
    """'$63,000,000', or an empty string when unknown (TMDB uses 0 for unknown)."""
    return f"${amount:,}" if amount else ""


def runtime(minutes: int | None) -> str:
    """'2h 19m', '45m', or an empty string when unknown."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if hours else f"{rest}m"


# {day} is the day of the month without a leading zero: strftime's "%-d" is a
# glibc extension that not every C library has (Windows rejects it).
DATE_STYLES = {
    "day_month_year": "{day} %B %Y",  # 5 March 2024
    "day_month": "{day} %B",  # 5 March
    "weekday_day_month": "%A {day} %B",  # Tuesday 5 March
    "month_year": "%B %Y",  # March 2024
    "year_month": "%Y-%m",  # 2024-03, as /diary?month= takes it
    "padded_day_month_year": "%d %B %Y",  # 05 March 2024
    "padded_day_month_year_time": "%d %B %Y, %H:%M",  # 05 March 2024, 14:30
    "day_month_year_time": "{day} %B %Y, %H:%M UTC",  # 5 March 2024, 14:30 UTC
}


def format_date(value: date | None, style: str = "day_month_year") -> str:
    """A date (or datetime) in one of DATE_STYLES, '5 March 2024' by default; '' when unknown."""
    if value is None:
        return ""
    return value.strftime(DATE_STYLES[style].replace("{day}", str(value.day)))


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML paragraphs: escaped, blank lines part paragraphs, newlines break lines."""
    if not text:
        return Markup("")
    blocks = [block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return Markup("\n").join(
        Markup("<p>")
        + Markup("<br>\n").join(escape(line) for line in block.strip().split("\n"))
        + Markup("</p>")
        for block in blocks
    )

"""Jinja settings and the helpers every template may use."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

import flask_babel
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_time
from babel.numbers import NumberPattern, format_currency, parse_pattern
from babel.units import format_unit
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
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["ago"] = ago
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
    """US dollars as the locale writes them ('$63,000,000', 'US$ 63.000.000'); '' when unknown.

    TMDB gives budgets and revenues in whole dollars, and 0 when unknown.
    """
    if not amount:
        return ""
    locale = flask_babel.get_locale()
    whole_dollars = copy.copy(parse_pattern(locale.currency_formats["standard"]))
    whole_dollars.frac_prec = (0, 0)  # on a copy: Babel's own pattern is shared
    return format_currency(
        amount, "USD", format=whole_dollars, currency_digits=False, locale=locale
    )


def runtime(minutes: int | None) -> str:
    """A running time as the locale writes it ('2h 19m', '2 h 19 min'); '' when unknown."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    parts = [("duration-hour", hours)] if hours else []
    if rest or not hours:
        parts.append(("duration-minute", rest))
    locale = flask_babel.get_locale()
    return " ".join(
        format_unit(amount, unit, length="narrow", locale=locale) for unit, amount in parts
    )


def number(value: float | None, digits: int = 0) -> str:
    """A count or figure with the locale's separators ('12,345', '12.345'; '7.5', '7,5')."""
    if value is None:
        return ""
    return _number_pattern(digits).apply(value, flask_babel.get_locale())


@cache
def _number_pattern(digits: int) -> NumberPattern:
    # Parsed once: a page of cards writes dozens of numbers, and parsing costs more than writing.
    return parse_pattern("#,##0." + "0" * digits if digits else "#,##0")


def ago(moment: datetime | None) -> str:
    """How long ago, as the locale says it ('3 hours ago', 'há 3 horas'); '' when unknown."""
    if moment is None:
        return ""
    now = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return flask_babel.format_timedelta(moment - now, add_direction=True, threshold=0.9)


# Each style is a CLDR skeleton, so every locale orders and spells it its own way:
# "yMMMMd" is "March 5, 2024" in English and "5 de março de 2024" in Portuguese.
DATE_STYLES = {
    "day_month_year": "yMMMMd",
    "day_month": "MMMMd",
    "weekday_day_month": "MMMMEd",  # with the weekday spelled out
    "month_year": "yMMMM",
    "short_date": "yMMMd",
}
DATETIME_STYLES = {"day_month_year_time": "yMMMMd"}  # and the time, "14:30 UTC"
# Machine-readable, the same in every language: /diary?month= takes it.
FIXED_STYLES = {"year_month": "%Y-%m"}


def format_date(value: date | None, style: str = "day_month_year") -> str:
    """A date (or datetime, in UTC) in the locale's way of DATE_STYLES; '' when unknown."""
    if value is None:
        return ""
    if style in FIXED_STYLES:
        return value.strftime(FIXED_STYLES[style])
    locale = flask_babel.get_locale()
    if style in DATETIME_STYLES:
        moment = (
            value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        )
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        day = format_skeleton(DATETIME_STYLES[style], moment, locale=locale)
        return f"{day}, {format_time(moment, 'short', locale=locale)} UTC"
    day = value.date() if isinstance(value, datetime) else value
    if style == "weekday_day_month":
        # CLDR's skeletons abbreviate the weekday; a diary heading spells it out.
        pattern = re.sub("E+", "EEEE", locale.datetime_skeletons["MMMMEd"].pattern)
        return babel_format_date(day, pattern, locale=locale)
    return format_skeleton(DATE_STYLES[style], day, locale=locale)


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

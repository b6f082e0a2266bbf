"""Numbers in the messages services build: with the separators of the page's language.

flask_babel.format_decimal writes numbers in the request's locale, and in the
default locale in an app context ("12,345" in English, "12.345" in Portuguese).
With no app context at all (a test calling a service directly) it would fall
back to the process's POSIX locale and drop the separators, while the message
around the number is in English: this falls back to English too.
"""

from __future__ import annotations

from babel.numbers import format_decimal as babel_format_decimal
from flask_babel import get_locale

SOURCE_LOCALE = "en"  # the language the messages are written in


def format_decimal(number: float, format: str | None = None) -> str:
    """`number` as the current locale writes it ('12,345', '12.345'); English without one."""
    return babel_format_decimal(number, format=format, locale=get_locale() or SOURCE_LOCALE)

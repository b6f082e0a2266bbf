"""Languages: Flask-Babel, the locale each request gets, and the switcher's cookie.

A request's locale is, in order: the member's saved preference, the cookie
the footer's language switcher sets, the browser's Accept-Language, then
DEFAULT_LOCALE. Locales are written as the web writes them ("pt-BR") in
settings, cookies and the database, and as Babel does ("pt_BR") inside.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, Response, current_app, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..models import localized
from .config import ConfigError, split_list
from .problems import is_api_request

LOCALE_COOKIE = "locale"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600

# Each language's name written in that language, as the switcher shows it.
LANGUAGE_NAMES = {"en": "English", "pt-BR": "Português (Brasil)"}

babel = Babel()


def init_app(app: Flask) -> None:
    """Flask-Babel with Marquee's locale selector; trimmed {% trans %} blocks."""
    app.config["BABEL_DEFAULT_LOCALE"] = babel_name(app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.extensions["marquee.locales"] = split_list(app.config["LOCALES"])
    check_catalogs(app)
    app.extensions["marquee.catalog_languages"] = split_list(app.config["CATALOG_LANGUAGES"])
    app.extensions["marquee.reading"] = {}  # Babel locale → localized.Languages
    localized.use_languages(reader_languages)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["site_languages"] = languages
    app.jinja_env.globals["reading_language"] = reading_language
    app.jinja_env.globals["language_name"] = language_name


# The language the messages are written in: it needs no catalog.
SOURCE_LOCALE = "en"


def check_catalogs(app: Flask) -> None:
    """Every locale but English has a compiled catalog; a stale one is logged.

    Without its .mo a language would quietly show English: say how to build it.
    """
    folder = Path(app.root_path) / app.config["BABEL_TRANSLATION_DIRECTORIES"]
    for locale in app.extensions["marquee.locales"]:
        if locale.split("-")[0] == SOURCE_LOCALE:
            continue
        messages = folder / babel_name(locale) / "LC_MESSAGES"
        compiled, source = messages / "messages.mo", messages / "messages.po"
        if not source.exists():
            raise ConfigError(
                f"LOCALES lists {locale}, but {source} does not exist: translate the site"
                ' first (README, "Adding a language").'
            )
        if not compiled.exists():
            raise ConfigError(
                f"{compiled} is missing: build it with `make translations-compile`"
                " (or `pybabel compile -d app/translations`)."
            )
        if compiled.stat().st_mtime < source.stat().st_mtime:
            app.logger.warning(
                "%s is older than its .po: run `make translations-compile`.", compiled
            )


def locales() -> tuple[str, ...]:
    """The site's languages, as LOCALES lists them ("en", "pt-BR")."""
    return current_app.extensions["marquee.locales"]


def languages() -> list[tuple[str, str]]:
    """(locale, name in its own language) for each of the site's languages."""
    return [(locale, LANGUAGE_NAMES.get(locale, locale)) for locale in locales()]


def babel_name(locale: str) -> str:
    """Babel's spelling of a locale: "pt-BR" → "pt_BR"."""
    return locale.replace("-", "_")


def web_name(locale: object) -> str:
    """The web's spelling of a locale (a Babel Locale or "pt_BR"): "pt-BR"."""
    return str(locale).replace("_", "-")


def supported(locale: str | None) -> str | None:
    """The site's spelling of `locale` when the site speaks it, else None; any case."""
    if not locale:
        return None
    wanted = web_name(locale).casefold()
    return next((known for known in locales() if known.casefold() == wanted), None)


def current_locale() -> str:
    """This request's (or running job's) locale in the web's spelling: "pt-BR".

    For <html lang>, cache keys and the language a queued job runs in.
    """
    return web_name(get_locale())


def catalog_languages() -> tuple[str, ...]:
    """The catalog's languages, the main one first ("en", "pt-BR")."""
    return current_app.extensions["marquee.catalog_languages"]


def catalog_language_for(locale: str) -> str:
    """The catalog language closest to a locale: itself, one of its language, else the main one."""
    languages = catalog_languages()
    if locale in languages:
        return locale
    primary = locale.split("-")[0]
    return next((known for known in languages if known.split("-")[0] == primary), languages[0])


def reader_languages() -> localized.Languages:
    """The catalog language this request reads in, and the main one (the models ask).

    Asked once per title on a page of cards, so the answer is kept per locale.
    """
    if not has_app_context():
        return localized.Languages(wanted="en", main="en")
    locale = get_locale()
    known = current_app.extensions["marquee.reading"]
    languages = known.get(locale)
    if languages is None:
        wanted = catalog_language_for(web_name(locale))
        languages = known[locale] = localized.Languages(wanted, catalog_languages()[0])
    return languages


def reading_language() -> str:
    """The catalog language this request's pages show texts in ("pt-BR")."""
    return reader_languages().wanted


def language_name(code: str) -> str:
    """A language's name in the reader's language: "en" is "inglês" to a Brazilian."""
    try:
        return Locale.parse(babel_name(code)).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def remember_locale(response: Response, locale: str | None) -> None:
    """Set the switcher's cookie (a year, readable by no script); None deletes it."""
    if locale is None:
        response.delete_cookie(LOCALE_COOKIE)
        return
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=LOCALE_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def select_locale() -> str:
    """Saved preference, then the switcher's cookie, then Accept-Language, then the default.

    API requests have no saved preference or cookie: Accept-Language, then the default.
    """
    if not has_request_context():
        return babel_name(current_app.config["DEFAULT_LOCALE"])
    if is_api_request():
        # Programs choose with Accept-Language: the API reads no cookie or session.
        return babel_name(_browser_locale() or current_app.config["DEFAULT_LOCALE"])
    chosen = (
        _saved_preference()
        or supported(request.cookies.get(LOCALE_COOKIE))
        or _browser_locale()
        or current_app.config["DEFAULT_LOCALE"]
    )
    return babel_name(chosen)


def _browser_locale() -> str | None:
    """The first language the browser asks for, by its own ranking, that the site speaks.

    A request for another variant of a language the site has ("pt-PT", "en-GB",
    plain "pt") gets that language; a better-ranked language always wins over a
    worse-ranked exact match, unlike Werkzeug's best_match.
    """
    for asked, quality in request.accept_languages:
        if quality <= 0:
            continue  # "q=0": not acceptable
        if exact := supported(asked):
            return exact
        primary = asked.split("-")[0].split("_")[0].casefold()
        for known in locales():
            if known.split("-")[0].casefold() == primary:
                return known
    return None


def _saved_preference() -> str | None:
    # The error page of a failed database still needs a locale: it does
    # without the member's preference rather than fail a second time.
    try:
        if not current_user.is_authenticated:
            return None
        return supported(current_user.locale)
    except SQLAlchemyError:
        return None

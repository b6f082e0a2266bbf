"""Configuration: defaults, instance/config.<env>.json, the environment, then secrets.

DESIGN.md §3 gives the precedence: secrets decrypted from instance/.env.crypto
come last, so an operator's encrypted value wins over a stale variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from . import crypto, files
from .crypto import INSECURE_SECRET_KEY, MIN_SECRET_KEY_LENGTH

APP_PACKAGE = "app"
ENVIRONMENTS = ("dev", "test", "prod")

# Every key Marquee reads, with its default. The README's configuration
# reference lists each of them (a test keeps the two in step).
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": INSECURE_SECRET_KEY,
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite file in instance/
    "SQLALCHEMY_ECHO": False,
    "SQLALCHEMY_RECORD_QUERIES": False,
    "REDIS_URL": None,
    "CACHE_DEFAULT_TIMEOUT": 300,
    "PAGE_CACHE_TIMEOUT": 300,  # 0: anonymous pages are rendered every time
    "LOG_LEVEL": "INFO",
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": 3600,
    "MOVIES_PER_PAGE": 24,
    "TMDB_API_KEY": None,
    "TMDB_READ_ACCESS_TOKEN": None,
    "TMDB_API_BASE_URL": "https://api.themoviedb.org/3",
    "TMDB_IMAGE_BASE_URL": "https://image.tmdb.org/t/p",
    "TMDB_LANGUAGE": "en-US",
    "TMDB_RATE_LIMIT": 40.0,
    "TMDB_CONCURRENCY": 8,
    "TMDB_TIMEOUT": 10.0,
    "TMDB_MAX_RETRIES": 5,
    "SEED_OUTPUT_DIR": None,  # None: seeder/output in the project
    "OPENAI_API_KEY": None,
    "OPENAI_BASE_URL": None,
    "OPENAI_MODEL": "gpt-4o-mini",
    "OPENAI_TIMEOUT": 60.0,
    # Languages of catalog texts (titles, overviews, biographies, genre names, descriptions);
    # the first is the main one, asked of TMDB as TMDB_LANGUAGE, the rest as translations.
    "CATALOG_LANGUAGES": "en,pt-BR",
    "LOCALES": "en,pt-BR",  # the site's languages, comma-separated; each needs app/translations
    "DEFAULT_LOCALE": "en",  # for visitors whose browser asks for none of LOCALES
    "DESCRIBE_CONCURRENCY": 4,
    "BASE_URL": None,  # the site's public address; required in prod (links in mail)
    "TRUSTED_PROXY_COUNT": 0,
    "PASSWORD_MIN_LENGTH": 10,
    "REQUIRE_CONFIRMED_EMAIL": True,
    "CONFIRM_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "RESET_TOKEN_MAX_AGE": 3600,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_LOGIN_PER_ACCOUNT": "5 per minute; 20 per hour",
    "RATELIMIT_LOGIN_PER_IP": "20 per minute; 200 per hour",
    "RATELIMIT_SIGNUP_PER_IP": "5 per hour",
    "RATELIMIT_MAIL_PER_ACCOUNT": "3 per hour",
    "RATELIMIT_PASSWORD_CHECKS": "10 per hour",
    "API_RATE_LIMIT_PER_TOKEN": "600 per minute",  # API requests with a token, per token
    "API_RATE_LIMIT_PER_ADDRESS": "120 per minute",  # API requests without one, per address
    "API_CORS_ORIGINS": "",  # origins allowed to call the API from a browser, comma-separated
    "MAIL_BACKEND": "file",
    "MAIL_FROM": "Marquee <noreply@localhost>",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 587,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_SECURITY": "starttls",
    "SMTP_TIMEOUT": 10.0,
    "MEDIA_DIR": None,  # None: instance/media
    "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
    "AVATAR_MAX_PIXELS": 25_000_000,
    "IMPORT_MAX_MB": 50,  # the largest Letterboxd or IMDb export a member may upload
    "IMPORT_MAX_ROWS": 100_000,  # rows one import reads, at most (a busy diary has ~10,000)
    "IMPORT_TMDB_LOOKUPS": 500,  # queued films of one import looked for on TMDB, at most
    "JOBS_ENGINE": "auto",  # auto: rq when REDIS_URL is set, else threads
    "JOBS_QUEUE": "marquee",
    "JOBS_THREADS": 2,
    "JOBS_HEARTBEAT_SECONDS": 5.0,
    "JOBS_LOST_AFTER_SECONDS": 120.0,
    "JOBS_RETRY_SECONDS": 30.0,
    "REFRESH_RECENT_DAYS": 1,  # refresh --stale: unreleased and last 60 days' releases
    "REFRESH_TWO_YEARS_DAYS": 7,  # released in the last two years
    "REFRESH_OLDER_DAYS": 30,  # older releases, and people
    "REFRESH_BATCH": 500,  # records one refresh --stale refetches at most
}

# What a newly written instance/config.<env>.json holds. Secrets are never
# written here for prod: several machines must share one key, so an operator
# sets it (FLASK_SECRET_KEY or `flask crypto`).
_FIRST_RUN_FILE: dict[str, dict[str, Any]] = {
    "dev": {"LOG_LEVEL": "INFO"},
    "test": {"LOG_LEVEL": "WARNING"},
    "prod": {
        "LOG_LEVEL": "INFO",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
    },
}

# Environment variables other ecosystems already use, read without a prefix.
_NAMED_VARIABLES = ("DATABASE_URL", "REDIS_URL")
_NAMED_PREFIXES = ("TMDB_", "OPENAI_", "SMTP_", "MAIL_")

_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigError(SystemExit):
    """The configuration cannot be used; the message says what to fix.

    A SystemExit, so `flask`, gunicorn and the dev server stop with the message
    alone (exit status 1) instead of a traceback, and no broad `except
    Exception` can swallow it and serve half-configured.
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"Marquee cannot start: {message}")


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill app.config from defaults, the instance file, the environment and overrides."""
    overrides = dict(overrides or {})
    env_name = overrides.pop("MARQUEE_ENV", None) or os.environ.get("MARQUEE_ENV", "dev")
    if env_name not in ENVIRONMENTS:
        raise ConfigError(
            f"MARQUEE_ENV is {env_name!r}; it must be one of {', '.join(ENVIRONMENTS)}."
        )
    app.config["MARQUEE_ENV"] = env_name
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(_read_instance_file(app, env_name))
    app.config.from_prefixed_env(loads=parse_env_value)
    app.config.from_mapping(_named_environment())
    app.config.from_mapping(_decrypted_secrets(app))
    app.config.from_mapping(overrides)
    _coerce_types(app.config)
    _finish(app)


def instance_path(overrides: Mapping[str, Any] | None = None) -> str | None:
    """The instance folder: INSTANCE_PATH override, MARQUEE_INSTANCE_PATH, or Flask's default."""
    chosen = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("MARQUEE_INSTANCE_PATH")
    return str(Path(chosen).resolve()) if chosen else None


def instance_folder() -> Path:
    """The instance folder an app would use, found without building the app."""
    chosen = instance_path()
    return Path(chosen) if chosen else Path(Flask(APP_PACKAGE).instance_path)


def parse_env_value(raw: str) -> Any:
    """Turn an environment string into a typed value: 'false' → False, '30' → 30."""
    word = raw.strip().lower()
    if word in _TRUE_WORDS - {"1"}:
        return True
    if word in _FALSE_WORDS - {"0"}:
        return False
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def instance_file(app: Flask, env_name: str) -> Path:
    """Path of the per-install config file for an environment."""
    return Path(app.instance_path) / f"config.{env_name}.json"


def _read_instance_file(app: Flask, env_name: str) -> dict[str, Any]:
    path = instance_file(app, env_name)
    if not path.exists():
        _write_first_run_file(path, env_name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path} is not valid JSON ({error}); fix or delete it.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object of settings.")
    return data


def _write_first_run_file(path: Path, env_name: str) -> None:
    settings = dict(_FIRST_RUN_FILE[env_name])
    # Once `flask crypto init` has run, SECRET_KEY lives encrypted in .env.crypto.
    if env_name != "prod" and not crypto.secrets_path(path.parent).exists():
        settings["SECRET_KEY"] = crypto.new_secret_key()
    # 0600: the file may hold the session key.
    files.write_private_file(path, json.dumps(settings, indent=2, sort_keys=True) + "\n")


def _named_environment() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in os.environ.items():
        if name in _NAMED_VARIABLES or name.startswith(_NAMED_PREFIXES):
            # Known keys stay text here and take their default's type below,
            # so an API key of digits stays a string.
            values[name] = (raw if name in DEFAULTS else parse_env_value(raw)) if raw else None
    if values.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = str(values["DATABASE_URL"])
    return values


def _decrypted_secrets(app: Flask) -> dict[str, Any]:
    """Settings from instance/.env.crypto; its keyring goes to app.extensions."""
    try:
        loaded = crypto.load(Path(app.instance_path))
    except crypto.CryptoError as error:
        raise ConfigError(str(error)) from None
    app.extensions["marquee.keyring"] = loaded.keyring
    return settings_from_secrets(loaded.secrets)


def settings_from_secrets(secrets_by_name: Mapping[str, str]) -> dict[str, Any]:
    """Config keys for secrets named as environment variables (FLASK_X is X)."""
    values: dict[str, Any] = {}
    for name, value in secrets_by_name.items():
        values[name.removeprefix("FLASK_")] = value
    if values.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = values["DATABASE_URL"]
    return values


def is_known_setting(name: str) -> bool:
    """Whether a secret's name is one Marquee reads."""
    key = name.removeprefix("FLASK_")
    return key in DEFAULTS or name in _NAMED_VARIABLES


def _coerce_types(config: dict[str, Any]) -> None:
    """Give every known key the type of its default, or say which one is wrong."""
    for key, default in DEFAULTS.items():
        value = config.get(key)
        if value is None:
            continue
        expected = str if default is None else type(default)
        if type(value) is expected:  # exact: True is an int to isinstance()
            continue
        try:
            config[key] = _convert(value, expected)
        except ValueError:
            raise ConfigError(f"{key} must be {_TYPE_NAMES[expected]}, got {value!r}.") from None


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _convert(value: Any, expected: type) -> Any:
    if expected is bool:
        word = str(value).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise ValueError(value)
    if expected is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    if expected is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    return str(value)


def _finish(app: Flask) -> None:
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / f"marquee-{config['MARQUEE_ENV']}.sqlite3"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(config["SQLALCHEMY_DATABASE_URI"])
    _check_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config.get("BASE_URL"):
        config["BASE_URL"] = _check_base_url(str(config["BASE_URL"]))
    _check_jobs_engine(config)
    _check_locales(config)
    if config["MARQUEE_ENV"] == "prod":
        _check_production_secret(config.get("SECRET_KEY"))
        if not config.get("BASE_URL"):
            raise ConfigError(
                "BASE_URL is not set for MARQUEE_ENV=prod. Links in mail (confirmation, "
                "password reset) must point at your site, not at whatever host a request "
                "named: set FLASK_BASE_URL, e.g. https://movies.example.org."
            )


def split_list(value: str) -> tuple[str, ...]:
    """A comma-separated setting as a tuple, blanks dropped: "en, pt-BR" → ("en", "pt-BR")."""
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


def catalog_languages(config: Mapping[str, Any]) -> tuple[str, ...]:
    """CATALOG_LANGUAGES as a tuple: the main language first, then the translations kept."""
    return split_list(config["CATALOG_LANGUAGES"])


def _check_locales(config: Mapping[str, Any]) -> None:
    """LOCALES names at least one language, DEFAULT_LOCALE among them."""
    chosen = split_list(config["LOCALES"])
    if not chosen:
        raise ConfigError("LOCALES is empty: list the site's languages, e.g. en,pt-BR.")
    if not split_list(config["CATALOG_LANGUAGES"]):
        raise ConfigError(
            "CATALOG_LANGUAGES is empty: list the catalog's languages, e.g. en,pt-BR."
        )
    main, tmdb = split_list(config["CATALOG_LANGUAGES"])[0], str(config["TMDB_LANGUAGE"])
    if main.split("-")[0].lower() != tmdb.split("-")[0].lower():
        raise ConfigError(
            f"CATALOG_LANGUAGES starts with {main}, but TMDB_LANGUAGE is {tmdb}: the main"
            " language's texts are what TMDB_LANGUAGE fetches, so the two must agree."
        )
    if config["DEFAULT_LOCALE"] not in chosen:
        raise ConfigError(
            f"DEFAULT_LOCALE is {config['DEFAULT_LOCALE']!r}, which LOCALES"
            f" ({', '.join(chosen)}) does not list."
        )


JOBS_ENGINES = ("auto", "rq", "threads", "manual")


def _check_jobs_engine(config: Mapping[str, Any]) -> None:
    """JOBS_ENGINE is one Marquee has, and RQ has a Redis to talk to."""
    engine = config.get("JOBS_ENGINE") or "auto"
    if engine not in JOBS_ENGINES:
        raise ConfigError(f"JOBS_ENGINE must be one of {', '.join(JOBS_ENGINES)}; got {engine!r}.")
    if engine == "rq" and not config.get("REDIS_URL"):
        raise ConfigError(
            "JOBS_ENGINE is rq but REDIS_URL is not set: RQ keeps its queue in Redis."
        )


def _check_base_url(url: str) -> str:
    """The site's address without a trailing slash, or a ConfigError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"BASE_URL must be the site's address, like https://movies.example.org; got {url!r}."
        )
    return url.rstrip("/")


def _check_database_url(url: str) -> None:
    """Refuse a URL the driver would misread, without repeating it: it holds a password."""
    try:
        host = make_url(url).host
    except (ValueError, ArgumentError):
        host = "@"
    if host and "@" in host:
        raise ConfigError(
            "The database URL (DATABASE_URL) cannot be read. If its password holds @, :, / "
            "or %, percent-encode them (@ is %40, : is %3A, / is %2F, % is %25)."
        )


def normalize_database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, whatever scheme the operator wrote."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _check_production_secret(secret_key: Any) -> None:
    if not secret_key or secret_key == INSECURE_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY is not set for MARQUEE_ENV=prod. Sessions would be forgeable. "
            "Run `flask crypto init` (it generates one and keeps it encrypted), or set "
            f"FLASK_SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if len(str(secret_key)) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY for MARQUEE_ENV=prod is shorter than {MIN_SECRET_KEY_LENGTH} "
            "characters; use a longer random value."
        )

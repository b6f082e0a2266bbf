"""Marquee: a self-hosted movie catalog."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask

from .infra import cache, errors, httpcache, i18n, limits, login, logs, mail, security, templating
from .infra import config as settings
from .infra import db as database

# One module of app/routes/ each, with its blueprint as `bp`.
BLUEPRINTS = (
    "main",
    "movies",
    "reviews",
    "library",
    "people",
    "jobs",
    "genres",
    "search",
    "auth",
    "users",
    "posters",
    "edits",
    "merges",
    "admin",
    "progress",
    "refresh",
    "imports",
    "api_docs",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application; `config` overrides every other setting."""
    app = Flask(__name__, instance_path=settings.instance_path(config))
    settings.load(app, config)
    logs.configure_logging(app)
    templating.configure(app)
    register_extensions(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Database, caches, sessions, languages, throttling, mail, CSRF and security headers."""
    database.init_app(app)
    cache.init_app(app)
    login.init_app(app)
    i18n.init_app(app)
    httpcache.init_app(app)
    limits.init_app(app)
    mail.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every page of the site, one blueprint per area."""
    from .routes.helpers import IdConverter, register_refusal_pages

    app.url_map.converters["id"] = IdConverter
    register_refusal_pages(app)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f".routes.{name}", __name__).bp)
    from .api import init_app as register_api

    register_api(app)


def register_commands(app: Flask) -> None:
    """The operator's `flask …` commands."""
    from .cli import crypto, jobs, seed, users

    app.cli.add_command(seed.group)
    app.cli.add_command(jobs.group)
    app.cli.add_command(users.group)
    # Also a plugin command (pyproject.toml), found even when the app cannot start.
    app.cli.add_command(crypto.group)

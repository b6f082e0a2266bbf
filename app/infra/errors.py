"""Error pages: a template for each status (problem+json in the API); errors roll back."""

from __future__ import annotations

from flask import Flask, render_template
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import problems
from .db import db

ERROR_PAGES = (400, 403, 404, 405, 413, 429, 500, 503)


def register_errorhandlers(app: Flask) -> None:
    """Render errors/<status>.jinja2 for HTTP errors; turn a lost database into a 503."""

    app.register_error_handler(HTTPException, error_page)

    @app.errorhandler(InternalServerError)
    def render_internal_error(error: InternalServerError):
        _rollback()
        if problems.is_api_request():
            return problems.from_http_error(error)
        return render_template("errors/500.jinja2", error=error), 500

    @app.errorhandler(OperationalError)
    def render_database_unavailable(error: OperationalError):
        _rollback()
        app.logger.error("Database unavailable: %s", error.orig.__class__.__name__)
        if problems.is_api_request():
            return problems.problem("unavailable", headers={"Retry-After": "30"})
        return render_template("errors/503.jinja2", error=ServiceUnavailable()), 503


def error_page(error: HTTPException):
    """The page for an HTTP error, with its status; a server error rolls back first."""
    code = error.code or 500
    if code >= 500:
        _rollback()
    if problems.is_api_request():
        return problems.from_http_error(error)
    template = f"errors/{code}.jinja2" if code in ERROR_PAGES else "errors/generic.jinja2"
    return render_template(template, error=error), code


def _rollback() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        # The connection is already gone; there is nothing left to undo.
        db.session.remove()

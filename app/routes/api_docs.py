"""The API's human side: its documentation page and what each problem type means."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for

from ..infra.problems import PROBLEM_TYPES

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/docs")
def docs():
    """The OpenAPI document rendered by Swagger UI, with how to get a token."""
    return render_template("api/docs.jinja2", spec_url=url_for("api-docs.openapi_json"))


@bp.get("/problems")
@bp.get("/problems/<slug>")
def problems(slug: str | None = None):
    """Every problem type the API answers with; a type's own URL marks it."""
    if slug is not None and slug not in PROBLEM_TYPES:
        abort(404)
    return render_template("api/problems.jinja2", problems=PROBLEM_TYPES.values(), current=slug)

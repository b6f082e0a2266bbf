"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from ..infra.db import db
from ..services import catalog

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page: what is new in the catalog."""
    return render_template(
        "main/index.jinja2", movies=catalog.recently_added(), movie_count=catalog.count()
    )


@bp.get("/healthz")
def health():
    """For load balancers: 200 when the database answers (a lost one gives 503)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

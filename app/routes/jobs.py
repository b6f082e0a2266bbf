"""Crew job pages: what a job is, and who holds it most often."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..services import people
from .caching import public_page
from .helpers import or_404

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/<path:job>")
@public_page
def detail(job: str):
    """A crew job's description and the people credited with it most."""
    return render_template("jobs/detail.jinja2", job=or_404(people.job_summary(job)))

"""Pages about the people who make movies."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request

from ..services import people, search
from ..services.people import DEPARTMENTS
from .caching import public_page
from .helpers import canonical_or_404, list_args, page_number

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@public_page
def index():
    """Popular people, or those whose name matches ?q=, optionally of one department."""
    department = request.args.get("department") or None
    if department not in (None, *DEPARTMENTS):
        flash(f"Ignored department {department!r}: not one we know.", "warning")
        department = None
    query = search.Query.parse(request.args.get("q"))
    if query.trimmed:
        flash(f"Your search was cut to {search.MAX_QUERY_LENGTH} characters.", "warning")
    if query.words:
        found = people.search_by_name(query, department=department)
        return render_template("people/index.jinja2", found=found, query=query,
                               department=department, departments=DEPARTMENTS)  # fmt: skip
    listing = people.list_(department=department, page=page_number())
    return render_template("people/index.jinja2", people=listing, query=query, args=list_args(),
                           department=department, departments=DEPARTMENTS)  # fmt: skip


@bp.get("/<id:person_id>")
@bp.get("/<id:person_id>-<slug>")
@public_page
def detail(person_id: int, slug: str | None = None):
    """One person and their filmography; a wrong slug redirects to the canonical URL."""
    person = canonical_or_404(
        people.get(person_id), endpoint=".detail", given=slug, person_id=person_id
    )
    return render_template(
        "people/detail.jinja2", person=person, age=people.age(person),
        filmography=people.filmography(person),
    )  # fmt: skip

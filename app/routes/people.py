"""Pages about the people who make movies."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for

from ..services import people
from .helpers import or_404, page_number

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
def index():
    """Everyone in the catalog, most popular first."""
    found = people.list_(page=page_number(), per_page=current_app.config["MOVIES_PER_PAGE"])
    return render_template("people/index.jinja2", people=found)


@bp.get("/<int:person_id>")
@bp.get("/<int:person_id>-<slug>")
def detail(person_id: int, slug: str | None = None):
    """One person and their filmography; a wrong slug redirects to the canonical URL."""
    person = or_404(people.get(person_id))
    if slug != person.slug:
        return redirect(url_for(".detail", person_id=person.id, slug=person.slug), 301)
    return render_template(
        "people/detail.jinja2", person=person, credits=people.filmography(person)
    )

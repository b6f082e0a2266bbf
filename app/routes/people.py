"""Pages about the people who make movies."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..forms.catalog import PeopleFilterForm
from ..models import EntityType
from ..services import people
from ..services.edits import locks
from .caching import public_page
from .helpers import canonical_or_404, list_args, merged_or_404, page_number

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@public_page
def index():
    """Popular people, or those whose name matches ?q=, optionally of one department."""
    form = PeopleFilterForm(request.args)
    query, department, notices = form.filters()
    found = people.search_by_name(query, department=department) if query.words else None
    listing = None if query.words else people.list_(department=department, page=page_number())
    return render_template(
        "people/index.jinja2",
        form=form,
        query=query,
        found=found,
        people=listing,
        notices=notices,
        args=list_args(),
    )


@bp.get("/<id:person_id>")
@bp.get("/<id:person_id>-<slug>")
@public_page
def detail(person_id: int, slug: str | None = None):
    """One person and their filmography; a wrong slug redirects to the canonical URL."""
    person = canonical_or_404(
        people.get(person_id)
        or merged_or_404(EntityType.person, person_id, ".detail", "person_id"),
        endpoint=".detail",
        given=slug,
        person_id=person_id,
    )
    if person.hidden_at is not None:
        return render_template("people/hidden.jinja2", person=person), 410
    return render_template(
        "people/detail.jinja2",
        person=person,
        age=people.age(person),
        filmography=people.filmography(person),
        written_by=locks.authors(EntityType.person, person.id, ("biography",)),
    )

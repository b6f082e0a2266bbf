"""/api/v1/people: popular people or a name search, and one person with their filmography."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _

from ..infra.problems import problem
from ..models import EntityType, Person
from ..services import people
from ..services.edits import merges
from ..services.paging import Page
from ..services.search import Query
from .area import Area
from .caching import catalog_read
from .paging import paged
from .schemas import PeopleListArgs, PersonDetailSchema, PersonPageSchema
from .shown import Shown

bp = Area("people", __name__, url_prefix="/people", description="The people who make movies")
SEARCH_LIMIT = 48


@bp.route("/")
@bp.arguments(PeopleListArgs, location="query", as_kwargs=True)
@catalog_read
@bp.response(200, PersonPageSchema)
def list_people(page: int, per_page: int, q: str | None = None, department: str | None = None):
    """The most popular people, or with `q` the best 48 matches of a name; `department` narrows."""
    query = Query.parse(q)
    if not query.words:
        return paged(people.list_(department=department, page=page, per_page=per_page))
    found = people.search_by_name(query, department=department, limit=SEARCH_LIMIT)
    return paged(Page(items=found, page=1, per_page=SEARCH_LIMIT, total=len(found)))


def person_or_404(person_id: int) -> Person:
    """The person; a merged one's address redirects (301); hidden is 410."""
    person = people.get(person_id)
    if person is None:
        new_id = merges.target(EntityType.person, person_id)
        if new_id is None:
            abort(problem("not-found", detail=_("There is no person %(id)s.", id=person_id)))
        abort(redirect(url_for(".get_person", person_id=new_id), 301))
    if person.hidden_at is not None:
        abort(problem("gone", detail=_("This person was taken out of the catalog.")))
    return person


@bp.route("/<id:person_id>")
@catalog_read
@bp.response(200, PersonDetailSchema)
@bp.alt_response(301, description="Merged into another person: Location is their address")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(410, response="GONE")
def get_person(person_id: int):
    """One person with every credit, newest first, and what they are known for."""
    person = person_or_404(person_id)
    filmography = people.filmography(person)
    crew = [credit for credits in filmography.crew_by_job.values() for credit in credits]
    return Shown(person, acting=filmography.acting, crew=crew, known_for=filmography.known_for)

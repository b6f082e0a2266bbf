"""Reading the people who make movies: lists, one person, their filmography."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select

from ..infra.db import db
from ..models import Credit, CreditKind, GeneratedText, Movie, Person, localized
from ..models.mixins import TitledRelease
from ..models.text import text_in_reading_order
from . import catalog, revisions, search
from .paging import Page, clamp, load_in_order

KNOWN_FOR_SIZE = 8
# What a filmography shows of each movie, in FilmographyMovie's field order.
FILMOGRAPHY_COLUMNS = (
    Movie.id,
    Movie.title,
    Movie.release_date,
    Movie.poster_path,
    Movie.vote_average,
    Movie.vote_count,
    Movie.popularity,
)
DEPARTMENTS = (
    "Acting",
    "Directing",
    "Writing",
    "Production",
    "Sound",
    "Camera",
    "Editing",
    "Art",
    "Costume & Make-Up",
    "Visual Effects",
    "Crew",
    "Lighting",
)


def get(person_id: int) -> Person | None:
    """A person, or None."""
    return db.session.get(Person, person_id)


def list_(*, department: str | None = None, page: int = 1, per_page: int = 24) -> Page[Person]:
    """People, most popular first, optionally of one department (hidden ones left out)."""
    conditions = [*_department(department), visible()]
    total = _count(department)
    page = clamp(page, total=total, per_page=per_page)
    ids = list(
        db.session.scalars(
            select(Person.id)
            .where(*conditions)
            .order_by(Person.popularity.desc(), Person.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=load_in_order(Person, ids), page=page, per_page=per_page, total=total)


@revisions.cached
def _count(department: str | None) -> int:
    """How many people (of a department): counted once per revision (a full scan at 300,000)."""
    conditions = [*_department(department), visible()]
    return db.session.scalar(select(func.count()).select_from(Person).where(*conditions)) or 0


def visible() -> ColumnElement[bool]:
    """People not hidden: NOT IN the (nearly always empty) hidden set, found through its index.

    Kept apart from the row test, so the list's index-only scan on popularity stays one.
    """
    return Person.id.not_in(select(Person.id).where(Person.hidden_at.is_not(None)))


def _department(department: str | None) -> list[ColumnElement[bool]]:
    return [Person.known_for_department == department] if department else []


def search_by_name(
    query: search.Query, *, department: str | None = None, limit: int = 48
) -> list[Person]:
    """People whose name matches the query, best first."""
    return search.people(query, limit=limit, department=department)


def age(person: Person, *, today: date | None = None) -> int | None:
    """Age now, or at death; None without a birthday."""
    if not person.birthday:
        return None
    end = person.deathday or today or date.today()
    years = end.year - person.birthday.year
    return years - ((end.month, end.day) < (person.birthday.month, person.birthday.day))


@dataclass(frozen=True, slots=True)
class FilmographyMovie(TitledRelease):
    """What a filmography shows of a movie: plain values, cheap to build by the hundred."""

    id: int
    title: str
    release_date: date | None
    poster_path: str | None
    vote_average: float
    vote_count: int
    popularity: float
    local_title: str  # in the reader's language, else the catalog's


@dataclass(frozen=True, slots=True)
class FilmographyCredit:
    """One line of a filmography."""

    movie: FilmographyMovie
    character: str | None
    job: str | None


@dataclass
class Filmography:
    """A person's credits: acting by year, each crew job by year, and what they are known for."""

    acting: list[FilmographyCredit]
    crew_by_job: dict[str, list[FilmographyCredit]]
    known_for: list[FilmographyMovie]

    @property
    def count(self) -> int:
        """Number of credits."""
        return len(self.acting) + sum(len(credits) for credits in self.crew_by_job.values())


def filmography(person: Person) -> Filmography:
    """Every credit of a person with its movie, newest first; one query, no ORM objects."""
    query = (
        select(Credit.kind, Credit.character, Credit.job, *FILMOGRAPHY_COLUMNS, _local_title())
        .join(Credit.movie)
        .where(Credit.person_id == person.id, catalog.visible(Credit.movie_id))
        .order_by(Movie.release_date.desc().nulls_first(), Movie.title)
    )
    acting: list[FilmographyCredit] = []
    crew: dict[str, list[FilmographyCredit]] = {}
    movies: dict[int, FilmographyMovie] = {}
    for kind, character, job, *movie_fields in db.session.execute(query):
        movie = movies.setdefault(movie_fields[0], FilmographyMovie(*movie_fields))
        credit = FilmographyCredit(movie=movie, character=character, job=job)
        if kind is CreditKind.cast:
            acting.append(credit)
        else:
            crew.setdefault(job or "Crew", []).append(credit)
    known_for = sorted(movies.values(), key=lambda movie: (-movie.vote_count, -movie.popularity))
    ordered_jobs = dict(sorted(crew.items(), key=lambda item: -len(item[1])))
    return Filmography(
        acting=acting, crew_by_job=ordered_jobs, known_for=known_for[:KNOWN_FOR_SIZE]
    )


def _local_title() -> ColumnElement[str]:
    """The title in the reader's language, read by the database: no JSON decoded per row."""
    reading = localized.languages()
    if reading.wanted == reading.main:
        return Movie.title
    return func.coalesce(Movie.translations[(reading.wanted, "title")].as_string(), Movie.title)


@dataclass(frozen=True)
class JobSummary:
    """A crew job: its description, how many credits have it, and who holds it most."""

    job: str
    department: str | None
    description: str | None
    author: str | None  # the editor who wrote the description, if one did
    credit_count: int
    people: list[Person]


def job_summary(job: str, *, limit: int = 24) -> JobSummary | None:
    """A crew job as credited in the catalog (None when no credit has it), with its text."""
    counted = db.session.execute(
        select(func.count(), func.min(Credit.department)).where(
            Credit.kind == CreditKind.crew, Credit.job == job
        )
    ).one()
    if not counted[0]:
        return None
    text = text_in_reading_order(
        db.session.scalars(select(GeneratedText).where(GeneratedText.crew_job == job))
    )
    holders = (
        select(Credit.person_id)
        .where(Credit.kind == CreditKind.crew, Credit.job == job)
        .group_by(Credit.person_id)
        .order_by(func.count().desc(), Credit.person_id)
        .limit(limit)
    )
    return JobSummary(
        job=job,
        department=counted[1],
        description=text.body if text else None,
        author=text.author.username if text and text.is_hand_written and text.author else None,
        credit_count=counted[0],
        people=load_in_order(Person, list(db.session.scalars(holders))),
    )

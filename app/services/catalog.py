"""Reading the movie catalog: lists with filters and sorts, rails, one movie, similar movies.

Lists page with LIMIT/OFFSET over ids only (a deferred join): the offset walks
the sort column's index without touching the rows, and only the page's rows
are then loaded. Each sort has its own index, with the primary key as the
tie-breaker in the same direction, so the last page costs about what the
first does (see docs/PERFORMANCE.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, literal_column, select, true
from sqlalchemy.orm import selectinload

from ..infra.db import db, is_sqlite
from ..models import (
    Credit,
    CreditKind,
    Genre,
    LocalSortTitle,
    Movie,
    Person,
    localized,
    movie_genres,
    movie_keywords,
)
from . import revisions
from .paging import Page, clamp, load_in_order

SORTS = {
    "popularity": (Movie.popularity, "desc"),
    "rating": (Movie.vote_average, "desc"),
    "community": (Movie.review_average, "desc"),
    "release_date": (Movie.release_date, "desc"),
    "title": (Movie.title, "asc"),
    "runtime": (Movie.runtime, "desc"),
}
SORTS_SKIPPING_UNKNOWN = ("release_date", "runtime", "community")
TOP_RATED_MIN_VOTES = 300
WALK_COST_RATIO = 4  # see _walk_is_cheaper()
RAIL_SIZE = 12
DIRECTING_JOBS = ("Director",)
WRITING_JOBS = ("Screenplay", "Writer", "Story", "Novel", "Author", "Characters")


@dataclass(frozen=True)
class MovieFilters:
    """What a movie list is narrowed to and ordered by; None means no limit."""

    genres: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    min_rating: float | None = None
    min_community: float | None = None
    runtime_min: int | None = None
    runtime_max: int | None = None
    language: str | None = None
    sort: str = "popularity"
    order: str | None = None

    @property
    def direction(self) -> str:
        """'asc' or 'desc': as asked, else the sort's natural direction."""
        return self.order or SORTS[self.sort][1]

    def counted(self) -> MovieFilters:
        """The same filters without what does not change the count, so counts cache once.

        Order never does; the sort only does for release date and runtime,
        which leave out movies without one.
        """
        sort = self.sort if self.sort in SORTS_SKIPPING_UNKNOWN else "popularity"
        return replace(self, sort=sort, order=None)

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list."""
        return bool(
            self.genres
            or self.language
            or any(
                value is not None
                for value in (
                    self.year_from,
                    self.year_to,
                    self.min_rating,
                    self.min_community,
                    self.runtime_min,
                    self.runtime_max,
                )
            )
        )


def visible(column: Any = Movie.id) -> Any:
    """A condition leaving out hidden movies, on a column holding movie ids.

    None are hidden in the usual case, and the condition is then `true`: the
    revision's stamp says how many are (read with it, no extra query). With
    some hidden, NOT IN over their ids (through the hidden_at index) rather
    than a test of each row's hidden_at, so lists keep their index-only scans;
    it still costs each row a lookup, which the last page of a long list
    feels (docs/PERFORMANCE.md, Catalog editing).
    """
    if not revisions.current().hidden_movies:
        return true()
    return column.not_in(select(Movie.id).where(Movie.hidden_at.is_not(None)))


def get(movie_id: int) -> Movie | None:
    """A movie with its genres, or None."""
    return db.session.scalar(
        select(Movie)
        .where(Movie.id == movie_id)
        .options(selectinload(Movie.genres), selectinload(Movie.generated_texts))
    )


def list_(
    filters: MovieFilters | None = None,
    *,
    page: int = 1,
    per_page: int = 24,
    within: Select[Any] | None = None,
) -> Page[Movie]:
    """One page of movies matching the filters, in the asked order.

    `within` is a query of movie ids (a member's watchlist, say) the list is
    limited to; such lists change with every click and are not catalog data,
    so they are counted each time rather than cached.
    """
    filters = filters or MovieFilters()
    # Members' own lists keep hidden movies: the rows are theirs.
    conditions = [visible()] if within is None else [Movie.id.in_(within)]
    if within is None:
        total = _count(filters.counted())
    else:
        query = select(func.count()).select_from(Movie).where(*_conditions(filters), *conditions)
        total = db.session.scalar(query) or 0
    page = clamp(page, total=total, per_page=per_page)
    column, _ = SORTS[filters.sort]
    ids_query = select(Movie.id)
    if filters.sort == "title" and (language := _local_sort_language()):
        # The reader's language's titles, in their own index (LocalSortTitle).
        column = LocalSortTitle.key
        ids_query = ids_query.join(
            LocalSortTitle,
            (LocalSortTitle.movie_id == Movie.id) & (LocalSortTitle.language == language),
        )
    descending = filters.direction == "desc"
    ordering = [column.desc(), Movie.id.desc()] if descending else [column.asc(), Movie.id.asc()]
    walk_sort_index = (
        within is None and is_sqlite() and _walk_is_cheaper(filters, total, page * per_page)
    )
    ids_query = (
        ids_query.where(
            *_conditions(filters, keep_index=column if walk_sort_index else None), *conditions
        )
        .order_by(*ordering)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=_movies_in_order(ids_query), page=page, per_page=per_page, total=total)


def _local_sort_language() -> str | None:
    """The reader's catalog language when titles sort by its own (not the main language's)."""
    reading = localized.languages()
    wanted = reading.wanted
    if wanted == reading.main or not _sort_titles_complete(wanted):
        return None
    return wanted


@revisions.cached
def _sort_titles_complete(language: str) -> bool:
    """Whether every movie has its sort title in `language` (`flask seed reindex` makes them)."""
    movies = db.session.scalar(select(func.count()).select_from(Movie)) or 0
    sorted_titles = db.session.scalar(
        select(func.count()).select_from(LocalSortTitle).where(LocalSortTitle.language == language)
    )
    return bool(movies) and sorted_titles >= movies


def _walk_is_cheaper(filters: MovieFilters, matches: int, rows_needed: int) -> bool:
    """Whether walking the sort index beats collecting every match and sorting it.

    Walking reads about rows_needed / (matches / all movies) rows and stops;
    collecting reads every match and sorts them, which costs a few times more
    per row. With SQLite's planner left alone, a selective filter's index wins
    even when the sort's index would be far cheaper.
    """
    if not filters.is_filtered or not matches:
        return True
    everything = _count(MovieFilters(sort=filters.sort).counted())
    return rows_needed * everything / matches <= WALK_COST_RATIO * matches


@revisions.cached
def _count(filters: MovieFilters) -> int:
    """How many movies match: counted once per filter set and revision (a full scan at 100k)."""
    query = select(func.count()).select_from(Movie).where(*_conditions(filters), visible())
    return db.session.scalar(query) or 0


def _conditions(filters: MovieFilters, *, keep_index: Any = None) -> list[Any]:
    """WHERE clauses for the filters.

    With `keep_index` (SQLite), every other indexed column is written as
    `+movies.column`: the same value, but SQLite will not pick that column's
    index, so it walks `keep_index` in sort order instead.
    """

    def column(attribute: Any) -> Any:
        if keep_index is None or attribute is keep_index:
            return attribute
        return literal_column(f"+movies.{attribute.key}", type_=attribute.type)

    conditions: list[Any] = []
    for slug in filters.genres:
        genre_id = select(Genre.id).where(Genre.slug == slug).scalar_subquery()
        conditions.append(
            exists().where(movie_genres.c.movie_id == Movie.id, movie_genres.c.genre_id == genre_id)
        )
    released = column(Movie.release_date)
    if filters.year_from is not None:
        conditions.append(released >= date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        conditions.append(released <= date(filters.year_to, 12, 31))
    if filters.min_rating is not None:
        conditions.append(column(Movie.vote_average) >= filters.min_rating)
    if filters.min_community is not None:
        conditions.append(column(Movie.review_average) >= filters.min_community)
    if filters.runtime_min is not None:
        conditions.append(column(Movie.runtime) >= filters.runtime_min)
    if filters.runtime_max is not None:
        conditions.append(column(Movie.runtime) <= filters.runtime_max)
    if filters.language:
        conditions.append(column(Movie.original_language) == filters.language)
    if filters.sort in SORTS_SKIPPING_UNKNOWN:
        conditions.append(SORTS[filters.sort][0].is_not(None))
    return conditions


def _movies_in_order(ids_query: Select[Any]) -> list[Movie]:
    return load_in_order(Movie, list(db.session.scalars(ids_query)))


def popular(*, limit: int = RAIL_SIZE) -> list[Movie]:
    """The most popular movies."""
    return list(
        db.session.scalars(
            select(Movie)
            .where(visible())
            .order_by(Movie.popularity.desc(), Movie.id.desc())
            .limit(limit)
        )
    )


def top_rated(*, limit: int = RAIL_SIZE, min_votes: int = TOP_RATED_MIN_VOTES) -> list[Movie]:
    """The best TMDB averages among movies with enough votes to mean something."""
    query = (
        select(Movie)
        .where(Movie.vote_count >= min_votes, visible())
        .order_by(Movie.vote_average.desc(), Movie.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def new_releases(*, limit: int = RAIL_SIZE, today: date | None = None) -> list[Movie]:
    """The latest movies already released."""
    query = (
        select(Movie)
        .where(Movie.release_date <= (today or date.today()), visible())
        .order_by(Movie.release_date.desc(), Movie.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recently_added(*, limit: int = RAIL_SIZE) -> list[Movie]:
    """The movies added to the catalog last."""
    query = select(Movie).where(visible()).order_by(Movie.id.desc()).limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class HomeRails:
    """The home page's rails of movies."""

    popular: list[Movie]
    top_rated: list[Movie]
    new_releases: list[Movie]
    recently_added: list[Movie]


def home_rails(*, today: date | None = None) -> HomeRails:
    """Every home rail: their ids from the cache, then the movies in one query."""
    rails = _home_rail_ids(today or date.today())
    wanted = {movie_id for ids in rails.values() for movie_id in ids}
    movies = {
        movie.id: movie for movie in db.session.scalars(select(Movie).where(Movie.id.in_(wanted)))
    }
    return HomeRails(
        **{name: [movies[id_] for id_ in ids if id_ in movies] for name, ids in rails.items()}
    )


@revisions.cached
def _home_rail_ids(today: date) -> dict[str, list[int]]:
    """Four sorted queries over the whole catalog, run once per revision and day."""
    return {
        "popular": [movie.id for movie in popular()],
        "top_rated": [movie.id for movie in top_rated()],
        "new_releases": [movie.id for movie in new_releases(today=today)],
        "recently_added": [movie.id for movie in recently_added()],
    }


def random_movie() -> Movie | None:
    """A movie picked at random: a random id, then the first movie at or after it (no sort)."""
    low, high = db.session.execute(select(func.min(Movie.id), func.max(Movie.id))).one()
    if low is None:
        return None
    pick = random.randint(low, high)  # noqa: S311 (not security)
    query = select(Movie).where(Movie.id >= pick, visible()).order_by(Movie.id).limit(1)
    return db.session.scalar(query)


def count() -> int:
    """How many movies the catalog holds (cached until the catalog changes)."""
    return _count(MovieFilters().counted())


def table_counts() -> dict[str, int]:
    """Rows per catalog table, for `flask seed status`."""
    models = {"movies": Movie, "people": Person, "credits": Credit, "genres": Genre}
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in models.items()
    }


@revisions.cached
def languages() -> list[str]:
    """Original languages present in the catalog, most common first (cached)."""
    query = (
        select(Movie.original_language)
        .where(Movie.original_language.is_not(None))
        .group_by(Movie.original_language)
        .order_by(func.count().desc())
    )
    return list(db.session.scalars(query))


@dataclass
class MovieCredits:
    """A movie's credits, sorted for its page."""

    cast: list[Credit]
    crew_by_department: dict[str, list[Credit]]

    @property
    def directors(self) -> list[Person]:
        """The directors, in credit order."""
        return _people_with_jobs(self.crew_by_department, DIRECTING_JOBS)

    @property
    def writers(self) -> list[Person]:
        """The writers, whatever their writing credit."""
        return _people_with_jobs(self.crew_by_department, WRITING_JOBS)


def credits_of(movie: Movie) -> MovieCredits:
    """Every credit of a movie with its person: cast by billing, crew by department."""
    query = (
        select(Credit)
        .where(Credit.movie_id == movie.id)
        .order_by(Credit.kind, Credit.cast_order, Credit.department, Credit.id)
        .options(selectinload(Credit.person))
    )
    cast, crew = [], {}
    for credit in db.session.scalars(query):
        if credit.kind is CreditKind.cast:
            cast.append(credit)
        else:
            crew.setdefault(credit.department or "Crew", []).append(credit)
    return MovieCredits(cast=cast, crew_by_department=dict(sorted(crew.items())))


def _people_with_jobs(crew: dict[str, list[Credit]], jobs: tuple[str, ...]) -> list[Person]:
    people: dict[int, Person] = {}
    for credits in crew.values():
        for credit in credits:
            if credit.job in jobs:
                people.setdefault(credit.person_id, credit.person)
    return list(people.values())


def cast_of(movie: Movie, *, limit: int = 15) -> list[Credit]:
    """The first-billed cast of a movie, with each person loaded."""
    query = (
        select(Credit)
        .where(Credit.movie_id == movie.id, Credit.kind == CreditKind.cast)
        .order_by(Credit.cast_order, Credit.id)
        .options(selectinload(Credit.person))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def similar(movie: Movie, *, limit: int = RAIL_SIZE) -> list[Movie]:
    """Movies sharing the director or main cast, then keywords, then popular ones of its genre.

    Cheap at any size: it starts from a handful of people and one genre, each
    through an index, never from every movie.
    """
    key_people = select(Credit.person_id).where(
        Credit.movie_id == movie.id,
        (Credit.job == "Director") | and_(Credit.kind == CreditKind.cast, Credit.cast_order < 5),
    )
    shared = func.count(func.distinct(Credit.person_id))
    by_people = (
        select(Credit.movie_id)
        .where(
            Credit.person_id.in_(key_people),
            Credit.movie_id != movie.id,
            visible(Credit.movie_id),
        )
        .group_by(Credit.movie_id)
        .order_by(shared.desc(), Credit.movie_id)
        .limit(limit)
    )
    picked = list(db.session.scalars(by_people))
    movie_keyword_ids = select(movie_keywords.c.keyword_id).where(
        movie_keywords.c.movie_id == movie.id
    )
    by_keywords = (
        select(movie_keywords.c.movie_id)
        .where(
            movie_keywords.c.keyword_id.in_(movie_keyword_ids),
            movie_keywords.c.movie_id != movie.id,
            visible(movie_keywords.c.movie_id),
        )
        .group_by(movie_keywords.c.movie_id)
        .order_by(func.count().desc(), movie_keywords.c.movie_id)
        .limit(limit)
    )
    picked += [movie_id for movie_id in db.session.scalars(by_keywords) if movie_id not in picked]
    # Always asked, even when people gave enough, so the page's query count is fixed.
    genre_id = movie.genres[0].id if movie.genres else None
    by_genre = (
        select(Movie.id)
        .where(
            Movie.id != movie.id,
            visible(),
            exists().where(
                movie_genres.c.movie_id == Movie.id, movie_genres.c.genre_id == genre_id
            ),
        )
        .order_by(Movie.popularity.desc(), Movie.id.desc())
        .limit(limit * 2)
    )
    picked += [movie_id for movie_id in db.session.scalars(by_genre) if movie_id not in picked]
    return load_in_order(Movie, picked[:limit])


def genres() -> list[Genre]:
    """Every genre, by name."""
    return list(db.session.scalars(select(Genre).order_by(Genre.name)))


@dataclass(frozen=True)
class GenreCount:
    """A genre and its number of movies: plain values, so they can be cached."""

    slug: str
    name: str
    count: int
    translations: dict[str, dict[str, str]]

    @property
    def local_name(self) -> str:
        """The name in the reader's language, else the catalog's."""
        return localized.translated(self.name, self.translations, "name")


def genres_by_local_name() -> list[GenreCount]:
    """Every genre with its number of movies, in the reader's alphabetical order."""
    return sorted(genres_with_counts(), key=lambda genre: localized.sort_key(genre.local_name))


@revisions.cached
def genres_with_counts() -> list[GenreCount]:
    """Every genre with its number of movies, by name (cached)."""
    counts = (
        select(movie_genres.c.genre_id, func.count().label("movies"))
        .where(visible(movie_genres.c.movie_id))
        .group_by(movie_genres.c.genre_id)
        .subquery()
    )
    query = (
        select(Genre.slug, Genre.name, func.coalesce(counts.c.movies, 0), Genre.translations)
        .outerjoin(counts, counts.c.genre_id == Genre.id)
        .order_by(Genre.name)
    )
    return [GenreCount(*row) for row in db.session.execute(query)]


def get_genre_by_slug(slug: str) -> Genre | None:
    """A genre by its URL slug, or None."""
    return db.session.scalar(select(Genre).where(Genre.slug == slug))

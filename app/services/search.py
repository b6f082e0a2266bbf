"""Search over movie titles and people's names: one service, each backend's full-text index.

Names are normalized in Python (lower case, accents removed, punctuation to
spaces) before they are indexed and before they are searched, so "amelie"
finds "Amélie" on SQLite (FTS5) and PostgreSQL (tsvector) alike. Every query
word matches as a prefix ("godf" finds "The Godfather"). Exact titles come
first, then titles that start with the query, then the rest, each by
popularity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement, TextClause

from ..infra import i18n
from ..infra.db import db, is_sqlite
from ..models import LocalSortTitle, Movie, Person, SearchEntry
from ..models.localized import translation_in
from .paging import load_in_order

MAX_QUERY_LENGTH = 200
# SQLite joins at most 500 SELECTs in one compound statement.
PREFIXES_PER_QUERY = 200
MIN_SUGGEST_LENGTH = 2
_NOT_WORD = re.compile(r"[\W_]+")
_FTS = literal_column("search_fts")


def normalize(text_: str) -> str:
    """'Amélie (2001)' → 'amelie 2001': the form names are indexed and searched in."""
    decomposed = unicodedata.normalize("NFKD", text_.casefold())
    unaccented = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", unaccented).split())


@dataclass(frozen=True)
class Query:
    """A cleaned query: what was asked, whether it was cut, and its words."""

    text: str
    trimmed: bool
    words: tuple[str, ...]
    # What the service learned about this query's plan (see _is_common).
    plan: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, raw: str | None) -> Query:
        """Trim, cut to MAX_QUERY_LENGTH and split into normalized words."""
        cleaned = " ".join((raw or "").split())
        trimmed = len(cleaned) > MAX_QUERY_LENGTH
        cleaned = cleaned[:MAX_QUERY_LENGTH]
        return cls(text=cleaned, trimmed=trimmed, words=tuple(normalize(cleaned).split()[:12]))

    @property
    def key(self) -> str:
        """The normalized query as one string."""
        return " ".join(self.words)


def movies(query: Query, *, limit: int = 20) -> list[Movie]:
    """Movies whose title or original title matches, best first."""
    return load_in_order(Movie, _matching_ids("movie", query, limit))


def people(query: Query, *, limit: int = 20, department: str | None = None) -> list[Person]:
    """People whose name matches, best first; only one department's when given."""
    return load_in_order(Person, _matching_ids("person", query, limit, department=department))


def _matching_ids(
    kind: str, query: Query, limit: int, *, department: str | None = None
) -> list[int]:
    """Exact names first, then names starting with the query, then any word match.

    Three small queries instead of one ranked one, each in popularity order
    and stopped at `limit`. When the words match many names (a common prefix
    such as "the"), walking the popularity index finds the best ones at once;
    when they match few, the name indexes do. SQLite counts the matches first
    to choose (_is_common); PostgreSQL's queries choose as they run
    (_walk_then_index). Either way a common prefix costs about what a rare one does.
    """
    if not query.words:
        return []
    of_kind = SearchEntry.kind == kind
    if department:
        of_kind = of_kind & exists().where(
            Person.id == SearchEntry.ref_id, Person.known_for_department == department
        )
    by_popularity = (SearchEntry.popularity.desc(), SearchEntry.ref_id)
    exact = select(SearchEntry.ref_id).where(of_kind, SearchEntry.key == query.key).limit(limit)
    if not is_sqlite():
        starting, anywhere = _walk_then_index(kind, query, limit, department)
    elif _is_common(query):
        starting, anywhere = _popularity_walks(kind, query, limit, department)
    else:
        starting = (
            select(SearchEntry.ref_id)
            .where(of_kind, _starts_with(query.key))
            .order_by(*by_popularity)
            .limit(limit)
        )
        anywhere = (
            select(SearchEntry.ref_id)
            .where(of_kind, _full_text_match(query))
            .order_by(*by_popularity)
            .limit(limit * 2)
        )
    ranked: dict[int, None] = {}
    for statement in (exact, starting, anywhere):
        ranked.update(dict.fromkeys(db.session.scalars(statement)))
    return list(ranked)[:limit]


_WALK = (
    "SELECT ref_id FROM search_entries INDEXED BY ix_search_entries_kind_popularity "
    "WHERE kind = :kind AND {condition} ORDER BY popularity DESC LIMIT :limit"
)
_IN_DEPARTMENT = (
    " AND EXISTS (SELECT 1 FROM people WHERE people.id = ref_id"
    " AND people.known_for_department = :department)"
)


def _popularity_walks(
    kind: str, query: Query, limit: int, department: str | None
) -> tuple[TextClause, TextClause]:
    """SQLite only: the prefix and word queries, walking the (kind, popularity) index.

    Keys are normalized words joined by single spaces, so "some word starts
    with w" is exactly "' ' || key contains ' ' || w": the same test as the
    full-text index's prefix match, checked row by row while walking in
    popularity order, which stops after a few hundred rows when matches are
    common.
    """
    narrowing = _IN_DEPARTMENT if department else ""
    extra = {"department": department} if department else {}
    starting = text(_WALK.format(condition="key >= :low AND key < :high" + narrowing)).bindparams(
        kind=kind, low=query.key, high=_past_prefix(query.key), limit=limit, **extra
    )
    conditions = " AND ".join(
        f"instr(' ' || key, :word{index}) > 0" for index in range(len(query.words))
    )
    words = {f"word{index}": f" {word}" for index, word in enumerate(query.words)}
    anywhere = text(_WALK.format(condition=conditions + narrowing)).bindparams(
        kind=kind, limit=limit * 2, **words, **extra
    )
    return starting, anywhere


WALKED_ENTRIES = 1_000
_WALK_THEN_INDEX = """
WITH found AS (
    SELECT ref_id, popularity FROM (
        SELECT ref_id, key, popularity FROM search_entries
        WHERE kind = :kind ORDER BY popularity DESC LIMIT :walked
    ) AS walked
    WHERE {condition} ORDER BY popularity DESC, ref_id LIMIT :limit
)
SELECT ref_id FROM (
    SELECT ref_id, popularity FROM found
    UNION ALL
    SELECT ref_id, popularity FROM (
        SELECT ref_id, popularity FROM search_entries
        WHERE kind = :kind AND {condition} ORDER BY -popularity, ref_id LIMIT :limit
    ) AS indexed
    WHERE (SELECT count(*) FROM found) < :limit
) AS both_parts ORDER BY popularity DESC, ref_id
"""
_PREFIX = "key ~>=~ :low AND key ~<~ :high"
_WORDS = "to_tsvector('simple', key) @@ to_tsquery('simple', :words)"


def _walk_then_index(
    kind: str, query: Query, limit: int, department: str | None
) -> tuple[TextClause, TextClause]:
    """PostgreSQL: the prefix and word queries, walking popularity only so far.

    PostgreSQL cannot estimate how many names a prefix matches, so left alone
    it walks the popularity index, and when few names match it reads every
    one of the kind (a third of a second for 300,000 people). Here the walk
    stops after WALKED_ENTRIES names. Only when it found fewer than `limit`
    matches does the second part run (its condition is a one-time filter on
    the first part's count) and take them from the name indexes, which is
    cheap exactly then, since few names match. Sorting that part on
    -popularity, which no index provides, keeps the planner on the name
    indexes. The prefix is a byte-wise range (~>=~, ~<~ and the
    varchar_pattern_ops index), as on SQLite, whatever the collation; the
    text configuration is written out, not bound, so that even a prepared
    statement's generic plan matches the GIN index's expression.
    """
    narrowing = _IN_DEPARTMENT if department else ""
    common = {"kind": kind, "walked": WALKED_ENTRIES}
    if department:
        common["department"] = department
    starting = text(_WALK_THEN_INDEX.format(condition=_PREFIX + narrowing)).bindparams(
        low=query.key, high=_past_prefix(query.key), limit=limit, **common
    )
    words = " & ".join(f"{word}:*" for word in query.words)
    anywhere = text(_WALK_THEN_INDEX.format(condition=_WORDS + narrowing)).bindparams(
        words=words, limit=limit * 2, **common
    )
    return starting, anywhere


COMMON_MATCHES = 2_000


def _is_common(query: Query) -> bool:
    """Whether the words match so many names that a popularity walk is cheaper (SQLite).

    The answer is kept on the query, so movies and people ask the database once.
    """
    if "common" not in query.plan:
        query.plan["common"] = _count_matches(query) > COMMON_MATCHES
    return query.plan["common"]


def _count_matches(query: Query) -> int:
    matches = db.session.scalar(
        select(func.count())
        .select_from(text("search_fts"))
        .where(text("search_fts MATCH :expression").bindparams(expression=_fts_expression(query)))
    )
    return matches or 0


def _fts_expression(query: Query) -> str:
    return " ".join(f'"{word}"*' for word in query.words)


def _past_prefix(prefix: str) -> str:
    """The least text after every text that starts with `prefix`, compared byte-wise."""
    return prefix + "\U0010ffff"


def _starts_with(prefix: str) -> ColumnElement[bool]:
    # SQLite compares text byte by byte, so a range walks the (kind, key) index.
    return (SearchEntry.key >= prefix) & (SearchEntry.key < _past_prefix(prefix))


def _full_text_match(query: Query) -> ColumnElement[bool]:
    # Words are normalized to letters and digits only, so they are safe in
    # FTS5's query language (and PostgreSQL's); each one matches as a prefix.
    matching = (
        select(literal_column("rowid"))
        .select_from(text("search_fts"))
        .where(text("search_fts MATCH :expression").bindparams(expression=_fts_expression(query)))
    )
    return SearchEntry.id.in_(matching)


def movie_titles_in(keys: Iterable[str]) -> list[tuple[str, int]]:
    """(key, movie id) for every indexed title or original title equal to one of the keys."""
    wanted = sorted(set(keys))
    found: list[tuple[str, int]] = []
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        query = select(SearchEntry.key, SearchEntry.ref_id).where(
            SearchEntry.kind == "movie", SearchEntry.key.in_(chunk)
        )
        found.extend((key, ref_id) for key, ref_id in db.session.execute(query))
    return found


def movie_titles_starting(prefixes: Iterable[str], *, limit: int) -> dict[str, list[int]]:
    """For each prefix, the movies with a title that begins with it and a word more.

    At most `limit` a prefix, first in key order rather than by popularity, so
    a common prefix reads `limit` index entries instead of sorting every title
    that starts with it. One statement per PREFIXES_PER_QUERY prefixes.
    """
    wanted = sorted(set(prefixes) - {""})
    found: dict[str, list[int]] = {prefix: [] for prefix in wanted}
    for start in range(0, len(wanted), PREFIXES_PER_QUERY):
        parts = [
            select(literal(prefix).label("prefix"), SearchEntry.ref_id)
            .where(SearchEntry.kind == "movie", _starts_with(f"{prefix} "))
            .order_by(SearchEntry.key)
            .limit(limit)
            .subquery()
            for prefix in wanted[start : start + PREFIXES_PER_QUERY]
        ]
        query = union_all(*(select(part.c.prefix, part.c.ref_id) for part in parts))
        for prefix, ref_id in db.session.execute(query):
            found[prefix].append(ref_id)
    return found


def index_movies(movie_ids: Iterable[int]) -> None:
    """(Re)index these movies' titles in every language, original and other titles.

    Hidden movies leave the search index; every movie keeps its sort titles
    in the catalog's other languages (see LocalSortTitle).
    """
    ids = list(movie_ids)
    if not ids:
        return
    rows = db.session.execute(
        select(
            Movie.id,
            Movie.title,
            Movie.original_title,
            Movie.alternative_titles,
            Movie.translations,
            Movie.popularity,
            Movie.hidden_at,
        ).where(Movie.id.in_(ids))
    ).all()
    entries = [
        {"kind": "movie", "ref_id": row.id, "key": key, "popularity": row.popularity}
        for row in rows
        if row.hidden_at is None
        for key in {normalize(name) for name in _titles_of(row)} - {""}
    ]
    _replace("movie", ids, entries)
    _replace_sort_titles(ids, rows)


def _titles_of(row: Any) -> list[str]:
    """Every title a movie is known by: its own, the original, others, each translation's."""
    translated = [texts.get("title") or "" for texts in (row.translations or {}).values()]
    return [row.title, row.original_title or "", *(row.alternative_titles or ()), *translated]


def _replace_sort_titles(ids: list[int], rows: list[Any]) -> None:
    """Each movie's title per other catalog language, normalized, for sorting by title."""
    db.session.execute(delete(LocalSortTitle).where(LocalSortTitle.movie_id.in_(ids)))
    sort_titles = [
        {
            "movie_id": row.id,
            "language": language,
            "key": normalize(translation_in(row.translations, language, "title") or row.title)[
                :300
            ],
        }
        for row in rows
        for language in i18n.catalog_languages()[1:]
    ]
    if sort_titles:
        db.session.execute(insert(LocalSortTitle.__table__), sort_titles)


def index_people(person_ids: Iterable[int]) -> None:
    """(Re)index these people's names."""
    ids = list(person_ids)
    rows = db.session.execute(
        select(Person.id, Person.name, Person.popularity).where(
            Person.id.in_(ids), Person.hidden_at.is_(None)
        )
    )
    entries = [
        {
            "kind": "person",
            "ref_id": row.id,
            "key": normalize(row.name),
            "popularity": row.popularity,
        }
        for row in rows
        if normalize(row.name)
    ]
    _replace("person", ids, entries)


def _replace(kind: str, ref_ids: list[int], entries: list[dict]) -> None:
    if not ref_ids:
        return
    db.session.execute(
        delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id.in_(ref_ids))
    )
    if entries:
        db.session.execute(insert(SearchEntry.__table__), entries)


def optimize() -> None:
    """After a bulk load: merge the full-text index's segments (SQLite) so queries read one."""
    if is_sqlite():
        db.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


def rebuild() -> int:
    """Index every movie and person again; return the number of entries."""
    db.session.execute(delete(SearchEntry))
    db.session.execute(delete(LocalSortTitle))
    for model, index in ((Movie, index_movies), (Person, index_people)):
        last = 0
        while ids := list(
            db.session.scalars(
                select(model.id).where(model.id > last).order_by(model.id).limit(5000)
            )
        ):
            index(ids)
            last = ids[-1]
    db.session.flush()
    return db.session.scalar(select(func.count()).select_from(SearchEntry)) or 0

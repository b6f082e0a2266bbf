"""Which catalog film an export's row means: ids first, then titles and years.

In order: an id the row carries (IMDb's tt…, a TMDB id); the exact
normalized title and year; original titles (the search index holds both);
variants of the title ("Godfather, The", "&" for "and", roman numerals,
the title before its subtitle); a year one off. Each way gives a score; a
film is taken only when it reaches AUTO_THRESHOLD and leads the next
candidate by MARGIN. Only an id, the title (moved article, "&", numerals,
accents aside), or one of the film's other titles, in the same year, reach
it: a year off, an added or dropped article or a subtitle's head only make
a candidate. So a remake sharing a title, or a film the catalog lacks with a
namesake, goes to the member's review queue instead of onto the wrong film.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ...infra.db import db
from ...models import Movie
from .. import search
from ..search import normalize

AUTO_THRESHOLD = 0.9
MARGIN = 0.1  # the best candidate must lead the next by this much
MAX_CANDIDATES = 5
BATCH = 500
# How much each way of finding a title is trusted, before the year is weighed.
EXACT = 1.0
ARTICLE_MOVED = 1.0  # "Godfather, The" is the same title
SPELLED_AND = 0.95  # "&" for "and"
NUMERALS = 0.95  # "Rocky II" and "Rocky 2"
OTHER_TITLE = 0.9  # one of the film's alternative titles: less sure than its own
ARTICLE_DROPPED = 0.85  # "Godfather" for "The Godfather"
BEFORE_SUBTITLE = 0.82  # "Star Wars" for "Star Wars: Episode IV - A New Hope"
LONGER_IN_CATALOG = 0.6  # the catalog's title goes on past the row's: never taken alone
# How much a year off weighs: the same year, one off (festival and release
# years differ), unknown, or further.
YEAR_SAME, YEAR_NEAR, YEAR_UNKNOWN, YEAR_OFF = 1.0, 0.85, 0.7, 0.3
ID_MISMATCH = 0.5  # the row's IMDb or TMDB id is not this film's: at most a suggestion

ARTICLES = ("the", "a", "an", "le", "la", "les", "l", "el", "los", "las", "il", "lo", "der")
ARTICLES += ("die", "das", "o", "os", "as", "un", "une", "ein", "eine")
_TRAILING_ARTICLE = re.compile(r"^(.+?),\s*(" + "|".join(ARTICLES) + r")'?$", re.IGNORECASE)
_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
_ROMAN = {
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
    "xi": "11",
    "xii": "12",
    "xiii": "13",
}
_ARABIC = {arabic: roman for roman, arabic in _ROMAN.items()}


@dataclass(frozen=True)
class Wanted:
    """What a row says about its film."""

    title: str
    year: int | None = None
    imdb_id: str | None = None
    tmdb_id: int | None = None
    original_title: str | None = None


@dataclass
class Match:
    """The film a row is taken to mean (or None), how it was found, and the best candidates."""

    movie_id: int | None = None
    method: str | None = None
    confidence: float = 0.0
    candidates: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Film:
    id: int
    imdb_id: str | None
    tmdb_id: int | None
    year: int | None
    popularity: float
    own_titles: frozenset[str]  # its title and original title, normalized


def group_key(wanted: Wanted) -> str:
    """The key rows about one film share, so one pick in the queue resolves them all."""
    if wanted.imdb_id:
        return f"imdb:{wanted.imdb_id}"
    if wanted.tmdb_id:
        return f"tmdb:{wanted.tmdb_id}"
    title = normalize(_article_moved(wanted.title) or wanted.title)
    return f"{title[:300]}|{wanted.year or ''}"


def title_variants(title: str) -> dict[str, tuple[float, str]]:
    """Each normalized form of a title to look up, with its trust and what made it."""
    variants: dict[str, tuple[float, str]] = {}

    def add(text: str | None, weight: float, method: str) -> None:
        key = normalize(text) if text else ""
        if key and variants.get(key, (0.0, ""))[0] < weight:
            variants[key] = (weight, method)

    moved = _article_moved(title)
    bases = [(title, EXACT, "title"), *([(moved, ARTICLE_MOVED, "title")] if moved else [])]
    for text, weight, method in bases:
        add(text, weight, method)
        if "&" in text:
            add(text.replace("&", " and "), weight * SPELLED_AND, "& as and")
        key = normalize(text)
        if " and " in f" {key} ":
            add(f" {key} ".replace(" and ", " "), weight * SPELLED_AND, "and as &")
        add(_numerals_swapped(key), weight * NUMERALS, "numerals")
        words = key.split()
        if len(words) > 1 and words[0] in ARTICLES:
            add(" ".join(words[1:]), weight * ARTICLE_DROPPED, "without its article")
        elif words:
            add(f"the {key}", weight * ARTICLE_DROPPED, "with an article")
        head = _SUBTITLE.split(text, maxsplit=1)
        if len(head) == 2 and normalize(head[0]):
            add(head[0], weight * BEFORE_SUBTITLE, "title before its subtitle")
    return variants


def _article_moved(title: str) -> str | None:
    """'Godfather, The' → 'The Godfather'; None when the title has no trailing article."""
    match = _TRAILING_ARTICLE.match(title.strip())
    if not match:
        return None
    article = match[2]
    joiner = "" if article.casefold() == "l" else " "
    return f"{article}{joiner}{match[1]}" if joiner else f"{article}'{match[1]}"


def _numerals_swapped(key: str) -> str | None:
    """'rocky ii' → 'rocky 2' and 'rocky 2' → 'rocky ii' (never the first word)."""
    words = key.split()
    swapped = [words[0], *(_ROMAN.get(word) or _ARABIC.get(word) or word for word in words[1:])]
    return " ".join(swapped) if swapped != words else None


def match(wanted: Sequence[Wanted]) -> list[Match]:
    """A Match for each row, in order: a few queries per BATCH rows whatever the catalog's size."""
    results: list[Match] = []
    for start in range(0, len(wanted), BATCH):
        results.extend(_match_batch(wanted[start : start + BATCH]))
    return results


def _match_batch(wanted: Sequence[Wanted]) -> list[Match]:
    by_imdb, by_tmdb = _by_ids(wanted)
    variants = [_all_variants(row) for row in wanted]
    hits: dict[str, list[int]] = {}
    for key, movie_id in search.movie_titles_in({key for keys in variants for key in keys}):
        hits.setdefault(key, []).append(movie_id)
    scored: list[dict[int, tuple[float, str]]] = []
    for keys in variants:
        found: dict[int, tuple[float, str]] = {}
        for key, (weight, method) in keys.items():
            for movie_id in hits.get(key, ()):
                if found.get(movie_id, (0.0, ""))[0] < weight:
                    found[movie_id] = (weight, method)
        scored.append(found)
    # Rows no title matched: films whose catalog title goes on past the row's.
    unfound = {normalize(row.title) for row, found in zip(wanted, scored, strict=True) if not found}
    longer = search.movie_titles_starting(unfound, limit=25)
    for row, found in zip(wanted, scored, strict=True):
        if not found:
            for movie_id in longer.get(normalize(row.title), ()):
                found.setdefault(movie_id, (LONGER_IN_CATALOG, "longer title"))
    films = _films({movie_id for found in scored for movie_id in found})
    _weigh_other_titles(variants, scored, films)
    results = []
    for row, found in zip(wanted, scored, strict=True):
        known = by_imdb.get(row.imdb_id or "") or by_tmdb.get(row.tmdb_id or 0)
        if known is not None:
            method = "IMDb id" if by_imdb.get(row.imdb_id or "") else "TMDB id"
            results.append(Match(known, method, 1.0, [known]))
            continue
        results.append(_decide(row, found, films))
    return results


def _all_variants(row: Wanted) -> dict[str, tuple[float, str]]:
    keys = title_variants(row.title)
    if row.original_title and row.original_title != row.title:
        for key, (weight, _) in title_variants(row.original_title).items():
            if keys.get(key, (0.0, ""))[0] < weight:
                keys[key] = (weight, "original title")
    return keys


def _by_ids(wanted: Sequence[Wanted]) -> tuple[dict[str, int], dict[int, int]]:
    """Visible films by the IMDb and TMDB ids the rows carry."""
    imdb_ids = {row.imdb_id for row in wanted if row.imdb_id}
    tmdb_ids = {row.tmdb_id for row in wanted if row.tmdb_id}
    by_imdb: dict[str, int] = {}
    by_tmdb: dict[int, int] = {}
    visible = Movie.hidden_at.is_(None)
    if imdb_ids:
        query = select(Movie.imdb_id, Movie.id).where(Movie.imdb_id.in_(imdb_ids), visible)
        # Two films sharing an IMDb id (a duplicate not merged yet): the older page wins.
        for imdb_id, movie_id in db.session.execute(query.order_by(Movie.id.desc())):
            by_imdb[imdb_id] = movie_id
    if tmdb_ids:
        query = select(Movie.tmdb_id, Movie.id).where(Movie.tmdb_id.in_(tmdb_ids), visible)
        by_tmdb.update((tmdb_id, movie_id) for tmdb_id, movie_id in db.session.execute(query))
    return by_imdb, by_tmdb


def _films(movie_ids: set[int]) -> dict[int, _Film]:
    """The visible candidates' ids, years and popularity, in one query per thousand."""
    films: dict[int, _Film] = {}
    ids = sorted(movie_ids)
    for start in range(0, len(ids), 1000):
        query = select(
            Movie.id,
            Movie.imdb_id,
            Movie.tmdb_id,
            Movie.release_date,
            Movie.popularity,
            Movie.title,
            Movie.original_title,
        ).where(Movie.id.in_(ids[start : start + 1000]), Movie.hidden_at.is_(None))
        for row in db.session.execute(query):
            own = frozenset(normalize(name) for name in (row.title, row.original_title) if name)
            films[row.id] = _Film(
                row.id, row.imdb_id, row.tmdb_id, _year(row.release_date), row.popularity or 0, own
            )
    return films


def _weigh_other_titles(
    variants: list[dict[str, tuple[float, str]]],
    scored: list[dict[int, tuple[float, str]]],
    films: dict[int, _Film],
) -> None:
    """Lower a candidate found only through one of its alternative titles to OTHER_TITLE."""
    for keys, found in zip(variants, scored, strict=True):
        for movie_id, (weight, method) in list(found.items()):
            film = films.get(movie_id)
            if film is None or weight <= OTHER_TITLE:
                continue
            own = max((keys[key][0] for key in film.own_titles if key in keys), default=0.0)
            if own < weight:
                found[movie_id] = max((own, method), (weight * OTHER_TITLE, "other title"))


def _year(released: date | None) -> int | None:
    return released.year if released else None


def _decide(row: Wanted, found: dict[int, tuple[float, str]], films: dict[int, _Film]) -> Match:
    """Weigh each candidate's title score by its year; take it only if it alone passes."""
    ranked = []
    for movie_id, (weight, method) in found.items():
        film = films.get(movie_id)
        if film is None:
            continue
        score = weight * _year_weight(row.year, film.year)
        if row.imdb_id and film.imdb_id and film.imdb_id != row.imdb_id:
            score = min(score, ID_MISMATCH)
        if row.tmdb_id and film.tmdb_id and film.tmdb_id != row.tmdb_id:
            score = min(score, ID_MISMATCH)
        if film.year is not None and row.year is not None and film.year != row.year:
            method = f"{method}, year {film.year}"
        ranked.append((score, film.popularity, movie_id, method))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    candidates = [movie_id for _, _, movie_id, _ in ranked[:MAX_CANDIDATES]]
    if not ranked:
        return Match(candidates=[])
    best_score, _, best_id, method = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if round(best_score, 3) >= AUTO_THRESHOLD and round(best_score - runner_up, 3) >= MARGIN:
        return Match(best_id, method, round(best_score, 3), candidates)
    return Match(None, None, round(best_score, 3), candidates)


def _year_weight(wanted: int | None, found: int | None) -> float:
    if wanted is None or found is None:
        return YEAR_UNKNOWN
    gap = abs(wanted - found)
    return YEAR_SAME if gap == 0 else YEAR_NEAR if gap == 1 else YEAR_OFF

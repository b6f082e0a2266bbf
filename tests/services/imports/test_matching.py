"""Matching rows to films: title variants, ids, years, and when a film is not taken."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.models import Movie
from app.services import search
from app.services.imports import matching
from app.services.imports.matching import Wanted, title_variants
from tests.factories import make_movie
from tests.routes.test_query_counts import counting

BORAT = "Borat: Cultural Learnings of America for Make Benefit Glorious Nation of Kazakhstan"
# Films the catalog lacks, some sharing a title with one it has.
MISSING = [
    ("Psycho", 1998),
    ("Oldboy", 2013),
    ("Solaris", 1968),
    ("The Love Witch", 2016),
    ("A Ghost Story", 2017),
    ("Ça commence aujourd'hui", 1999),
    ("Godzilla Minus One", 2023),
    ("Past Lives", 2023),
]


@pytest.fixture
def catalog(db, sample) -> dict[str, Movie]:
    """The sample, plus remakes and namesakes the sample lacks, indexed for search."""
    made = {
        "dune 1984": make_movie("Dune", release_date=date(1984, 12, 14), imdb_id="tt0087182"),
        "eden hansen-love": make_movie("Eden", release_date=date(2014, 11, 19)),
        "eden griffiths": make_movie("Eden", release_date=date(2014, 3, 8)),
        "the thing 1982": make_movie("The Thing", release_date=date(1982, 6, 25)),
        "the thing 2011": make_movie("The Thing", release_date=date(2011, 10, 14)),
        "rocky ii": make_movie("Rocky II", release_date=date(1979, 6, 15)),
        "fast & furious": make_movie("Fast & Furious", release_date=date(2009, 4, 3)),
        "borat": make_movie("Borat", release_date=date(2006, 11, 3)),
    }
    search.index_movies([movie.id for movie in made.values()])
    db.session.flush()
    return made


def film(db, tmdb_id: int) -> Movie:
    return db.session.scalar(select(Movie).where(Movie.tmdb_id == tmdb_id))


def match_one(wanted: Wanted) -> matching.Match:
    [found] = matching.match([wanted])
    return found


@pytest.mark.parametrize(
    ("title", "key", "weight", "method"),
    [
        ("Godfather, The", "the godfather", 1.0, "title"),
        ("Misérables, Les", "les miserables", 1.0, "title"),
        ("Avventura, L'", "l avventura", 1.0, "title"),
        ("Fast & Furious", "fast and furious", 0.95, "& as and"),
        ("Love and Mercy", "love mercy", 0.95, "and as &"),
        ("Rocky II", "rocky 2", 0.95, "numerals"),
        ("Rocky 2", "rocky ii", 0.95, "numerals"),
        ("The Godfather Part II", "the godfather part 2", 0.95, "numerals"),
        ("The Godfather", "godfather", 0.85, "without its article"),
        ("Godfather, The", "godfather", 0.85, "without its article"),
        ("Godfather", "the godfather", 0.85, "with an article"),
        ("Star Wars: Episode IV - A New Hope", "star wars", 0.82, "title before its subtitle"),
        ("Mad Max – Fury Road", "mad max", 0.82, "title before its subtitle"),
        ("Amélie", "amelie", 1.0, "title"),
    ],
)
def test_title_variants_weigh_each_way_of_writing_a_title(title, key, weight, method):
    variants = title_variants(title)

    assert variants[key] == (pytest.approx(weight), method)


def test_title_variants_never_swap_the_first_word_for_a_numeral():
    assert "5 for vendetta" not in title_variants("V for Vendetta")


def test_an_imdb_or_tmdb_id_wins_over_the_title(db, catalog):
    godfather = film(db, 238)
    wanted = [
        Wanted(title="Heat", year=1995, imdb_id="tt0068646"),
        Wanted(title="Heat", year=1995, tmdb_id=238),
    ]

    found = matching.match(wanted)

    assert [(match.movie_id, match.method, match.confidence) for match in found] == [
        (godfather.id, "IMDb id", 1.0),
        (godfather.id, "TMDB id", 1.0),
    ]


def test_a_duplicate_page_sharing_an_imdb_id_loses_to_the_older_one(db):
    heat = make_movie("Heat", release_date=date(1995, 12, 15), imdb_id="tt0113277")
    duplicate = make_movie("Heat", release_date=date(1995, 12, 15), imdb_id="tt0113277")

    found = match_one(Wanted(title="Heat", year=1995, imdb_id="tt0113277"))

    assert found.movie_id == heat.id
    assert duplicate.id > heat.id


def test_each_way_of_writing_a_title_finds_the_film(db, catalog):
    table = [
        (Wanted("Heat", 1995), film(db, 949), "title"),
        (Wanted("Godfather, The", 1972), film(db, 238), "title"),
        (Wanted("Amelie", 2001), film(db, 194), "title"),
        (Wanted("AMÉLIE", 2001), film(db, 194), "title"),
        (Wanted("Le Fabuleux Destin d'Amélie Poulain", 2001), film(db, 194), "title"),
        (Wanted("Lola rennt", 1998), film(db, 104), "title"),
        (Wanted("七人の侍", 1954), film(db, 346), "title"),
        (Wanted("Star Wars: Episode IV - A New Hope", 1977), film(db, 11), "other title"),
        (Wanted("Lola corre", 1998, original_title="Lola rennt"), film(db, 104), "original title"),
        (Wanted("Rocky 2", 1979), catalog["rocky ii"], "numerals"),
        (Wanted("Fast and Furious", 2009), catalog["fast & furious"], "and as &"),
    ]

    found = matching.match([wanted for wanted, _, _ in table])

    assert [(match.movie_id, match.method) for match in found] == [
        (movie.id, method) for _, movie, method in table
    ]


def test_weaker_ways_only_suggest_the_film(db, catalog):
    # A year off, an added article or a subtitle's head is how a different film
    # with a namesake in the catalog looks too: the member picks.
    heat = film(db, 949)
    wanted = [
        Wanted("Heat", 1994),
        Wanted("Heat", 1996),
        Wanted("Godfather", 1972),
        Wanted(BORAT, 2006),
    ]

    found = matching.match(wanted)

    assert [(match.movie_id, match.confidence) for match in found] == [
        (None, 0.85),
        (None, 0.85),
        (None, 0.85),
        (None, 0.82),
    ]
    assert [match.candidates[0] for match in found] == [
        heat.id,
        heat.id,
        film(db, 238).id,
        catalog["borat"].id,
    ]


def test_a_remake_sharing_a_title_is_told_apart_by_its_year(db, catalog):
    lynch, villeneuve = catalog["dune 1984"], film(db, 438631)
    carpenter, prequel = catalog["the thing 1982"], catalog["the thing 2011"]
    wanted = [
        Wanted("Dune", 1984),
        Wanted("Dune", 2021),
        Wanted("Thing, The", 1982),
        Wanted("The Thing", 2011),
    ]

    found = matching.match(wanted)

    assert [match.movie_id for match in found] == [
        lynch.id,
        villeneuve.id,
        carpenter.id,
        prequel.id,
    ]
    assert set(found[0].candidates) == {lynch.id, villeneuve.id}


def test_a_film_the_catalog_lacks_is_not_taken_for_a_namesake_years_apart(db, catalog):
    namesakes = [film(db, tmdb_id) for tmdb_id in (539, 670, 593, 348)]
    wanted = [
        Wanted("Psycho", 1998),
        Wanted("Oldboy", 2013),
        Wanted("Solaris", 1968),
        Wanted("Alien", 1981),
    ]

    found = matching.match(wanted)

    assert [match.movie_id for match in found] == [None, None, None, None]
    assert [match.candidates for match in found] == [[movie.id] for movie in namesakes]


def test_two_films_of_one_title_and_year_are_left_for_the_member(db, catalog):
    found = match_one(Wanted(title="Eden", year=2014))

    assert found.movie_id is None
    assert set(found.candidates) == {catalog["eden hansen-love"].id, catalog["eden griffiths"].id}


def test_a_row_without_a_year_is_not_taken_even_for_the_only_namesake(db, catalog):
    heat = film(db, 949)

    found = matching.match([Wanted("Heat", None), Wanted("Heat", None, imdb_id="tt0113277")])

    assert [(match.movie_id, match.candidates) for match in found] == [
        (None, [heat.id]),
        (heat.id, [heat.id]),  # its IMDb id says which film it is
    ]


def test_a_hidden_film_is_never_matched(db, catalog):
    heat = film(db, 949)
    heat.hidden_at = datetime(2024, 2, 1, tzinfo=UTC)
    db.session.flush()
    wanted = [
        Wanted(title="Heat", year=1995),
        Wanted(title="Heat", year=1995, imdb_id="tt0113277"),
        Wanted(title="Heat", year=1995, tmdb_id=949),
    ]

    found = matching.match(wanted)

    assert [(match.movie_id, match.candidates) for match in found] == [(None, [])] * 3


def test_a_row_whose_imdb_id_is_another_films_is_only_a_suggestion(db, catalog):
    heat = film(db, 949)

    found = match_one(Wanted(title="Heat", year=1995, imdb_id="tt0093011"))

    assert found.movie_id is None
    assert found.confidence == matching.ID_MISMATCH
    assert found.candidates == [heat.id]


def test_a_title_the_catalog_has_only_longer_is_a_suggestion(db, catalog):
    strangelove = film(db, 935)

    found = match_one(Wanted(title="Dr. Strangelove", year=1964))

    assert found.movie_id is None
    assert found.candidates == [strangelove.id]


def test_a_batch_of_1200_rows_runs_in_a_fixed_small_number_of_queries(db, catalog):
    # A member's history as exports write it: ids, titles and years, moved
    # articles, no accents, a year off, and films the catalog lacks.
    chance = random.Random(12)
    movies = db.session.scalars(select(Movie).order_by(Movie.id)).all()
    wanted = []
    while len(wanted) < 1200:
        movie = chance.choice(movies)
        roll = chance.random()
        if roll < 0.1:
            title, year = chance.choice(MISSING)
            wanted.append(Wanted(title=title, year=year))
        elif roll < 0.2:
            wanted.append(Wanted(title=movie.title, year=movie.year, imdb_id=movie.imdb_id))
        elif roll < 0.3:
            wanted.append(Wanted(title=movie.title, year=movie.year, tmdb_id=movie.tmdb_id))
        elif roll < 0.4 and movie.title.startswith("The "):
            wanted.append(Wanted(title=f"{movie.title[4:]}, The", year=movie.year))
        elif roll < 0.5:
            wanted.append(Wanted(title=movie.title, year=(movie.year or 2000) + 1))
        else:
            wanted.append(Wanted(title=movie.title, year=movie.year))

    with counting(db.engine) as statements:
        found = matching.match(wanted)

    assert len(found) == 1200
    # Per batch of 500: films by IMDb id, by TMDB id, titles, longer titles for the
    # rows no title matched (one statement for them all), candidates' years.
    batches = -(-len(wanted) // matching.BATCH)
    assert len(statements) <= 5 * batches, f"{len(statements)} statements"

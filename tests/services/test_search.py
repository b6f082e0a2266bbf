"""Search: accent- and case-insensitive prefix matches, exact titles first, on either backend."""

import pytest

from app.services import search
from app.services.search import Query
from tests.factories import make_movie, make_person


@pytest.fixture
def catalog(db):
    movies = {
        "godfather": make_movie(
            "The Godfather", popularity=90.0, alternative_titles=["O Poderoso Chefão", "Der Pate"]
        ),
        "godfather2": make_movie("The Godfather Part II", popularity=95.0),
        "amelie": make_movie(
            "Amélie", original_title="Le Fabuleux Destin d'Amélie Poulain", popularity=40.0
        ),
        "samurai": make_movie("Seven Samurai", original_title="七人の侍", popularity=30.0),
        "percent": make_movie("100% Wolf", popularity=5.0),
        "god": make_movie("God", popularity=1.0),
    }
    people = {
        "pacino": make_person("Al Pacino", popularity=50.0),
        "zoe": make_person("Zoë Kravitz", popularity=20.0),
    }
    search.index_movies(movie.id for movie in movies.values())
    search.index_people(person.id for person in people.values())
    return movies | people


def titles(found):
    return [getattr(item, "title", None) or item.name for item in found]


def test_prefix_matches_any_word(catalog):
    assert titles(search.movies(Query.parse("godf"))) == ["The Godfather Part II", "The Godfather"]


def test_exact_then_prefix_titles_come_before_popularity(catalog):
    found = titles(search.movies(Query.parse("god")))
    assert found[0] == "God"  # exact title, though least popular
    assert set(found[1:]) == {"The Godfather", "The Godfather Part II"}
    assert titles(search.movies(Query.parse("the godfather"))) == [
        "The Godfather",
        "The Godfather Part II",
    ]


@pytest.mark.parametrize("typed", ["amelie", "AMÉLIE", "amél", "fabuleux destin", "poulain"])
def test_accents_and_case_do_not_matter(catalog, typed):
    assert titles(search.movies(Query.parse(typed))) == ["Amélie"]


def test_original_titles_in_other_scripts_are_found(catalog):
    assert titles(search.movies(Query.parse("七人の侍"))) == ["Seven Samurai"]


@pytest.mark.parametrize("typed", ["poderoso chefao", "O Poderoso Chefão", "der pate"])
def test_other_titles_a_film_goes_by_are_found(catalog, typed):
    assert titles(search.movies(Query.parse(typed))) == ["The Godfather"]


def test_people_are_searched_by_name(catalog):
    assert titles(search.people(Query.parse("zoe kra"))) == ["Zoë Kravitz"]
    assert titles(search.people(Query.parse("pacino"))) == ["Al Pacino"]
    assert search.movies(Query.parse("pacino")) == []


@pytest.mark.parametrize(
    "typed", ["%", "_", "100%", "wo_f", "' OR 1=1 --", '"', "*", "AND", "NEAR(", ":*", "!&|"]
)
def test_special_characters_are_literal_and_never_fail(catalog, typed):
    found = titles(search.movies(Query.parse(typed)))
    assert found in ([], ["100% Wolf"])


def test_percent_is_not_a_wildcard(catalog):
    assert titles(search.movies(Query.parse("100%"))) == ["100% Wolf"]
    assert (
        search.movies(Query.parse("%olf")) == [] or titles(search.movies(Query.parse("%olf"))) == []
    )


def test_empty_and_very_long_queries(catalog):
    assert search.movies(Query.parse("   ")) == []
    assert search.movies(Query.parse(None)) == []
    long = Query.parse("godfather " * 2000)
    assert long.trimmed
    assert len(long.text) == search.MAX_QUERY_LENGTH
    assert titles(search.movies(long)) == ["The Godfather Part II", "The Godfather"]


def test_reindexing_follows_renames(catalog, db):
    movie = catalog["god"]
    movie.title = "Dog"
    db.session.flush()
    search.index_movies([movie.id])
    assert titles(search.movies(Query.parse("dog"))) == ["Dog"]
    assert titles(search.movies(Query.parse("god"))) == ["The Godfather Part II", "The Godfather"]


def test_rebuild_indexes_everything(catalog, db):
    count = search.rebuild()
    assert count == 6 + 2 + 2 + 2  # two original titles, two alternative titles
    assert titles(search.people(Query.parse("al"))) == ["Al Pacino"]


def test_normalize():
    assert search.normalize("  Amélie (2001)!") == "amelie 2001"
    assert search.normalize("WALL·E") == "wall e"
    assert search.normalize("Straße") == "strasse"


@pytest.mark.parametrize(
    "typed", ["god", "the godfather", "amel", "fabuleux destin", "七人", "pacino", "zoe k", "zzz"]
)
def test_the_popularity_walk_finds_what_the_full_text_index_finds(catalog, monkeypatch, typed):
    """Common queries take another plan on SQLite; it must give the same answers."""
    normal_movies = titles(search.movies(Query.parse(typed)))
    normal_people = titles(search.people(Query.parse(typed)))
    monkeypatch.setattr(search, "COMMON_MATCHES", -1)  # every query counts as common
    assert titles(search.movies(Query.parse(typed))) == normal_movies
    assert titles(search.people(Query.parse(typed))) == normal_people


@pytest.mark.parametrize("common", [False, True])
def test_people_search_narrows_to_a_department_in_the_database(db, monkeypatch, common):
    """Fifty popular actors named Alex must not hide the one director named Alex."""
    actors = [
        make_person(f"Alex Actor{n}", popularity=100.0 + n, known_for_department="Acting")
        for n in range(50)
    ]
    director = make_person("Alex Director", popularity=1.0, known_for_department="Directing")
    search.index_people([person.id for person in [*actors, director]])
    if common:
        monkeypatch.setattr(search, "COMMON_MATCHES", -1)

    found = search.people(Query.parse("alex"), limit=5, department="Directing")

    assert [person.name for person in found] == ["Alex Director"]

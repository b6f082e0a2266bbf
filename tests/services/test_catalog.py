"""Reading the catalog: lists, rails, similar movies, credits."""

from datetime import date

from app.services import catalog
from app.services.catalog import MovieFilters
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person


def test_count_and_recently_added(db):
    older, newer = make_movie("Older"), make_movie("Newer")
    assert catalog.count() == 2
    assert catalog.recently_added(limit=1) == [newer]
    assert older in catalog.recently_added()


def test_list_clamps_the_page_and_counts(db):
    for number in range(5):
        make_movie(f"M{number}", popularity=float(number))
    page = catalog.list_(MovieFilters(), page=99, per_page=2)
    assert page.page == 3
    assert page.total == 5
    assert [movie.title for movie in page.items] == ["M0"]


def test_release_date_and_runtime_sorts_leave_out_unknown_values(db):
    make_movie("Dated", release_date=date(2000, 1, 1), runtime=90)
    make_movie("Undated", release_date=None, runtime=None)
    by_date = catalog.list_(MovieFilters(sort="release_date"))
    by_runtime = catalog.list_(MovieFilters(sort="runtime", order="asc"))
    assert [movie.title for movie in by_date.items] == ["Dated"]
    assert [movie.title for movie in by_runtime.items] == ["Dated"]


def test_filters_know_when_they_narrow_the_list():
    assert not MovieFilters().is_filtered
    assert not MovieFilters(sort="title").is_filtered
    assert MovieFilters(min_rating=0).is_filtered
    assert MovieFilters(language="ja").is_filtered
    assert MovieFilters(sort="title").direction == "asc"
    assert MovieFilters(sort="title", order="desc").direction == "desc"


def test_top_rated_needs_enough_votes(db):
    make_movie("Loved By Few", vote_average=9.9, vote_count=3)
    make_movie("Loved By Many", vote_average=8.5, vote_count=10_000)
    assert [movie.title for movie in catalog.top_rated()] == ["Loved By Many"]


def test_random_movie(db):
    assert catalog.random_movie() is None
    only = make_movie("Only")
    assert catalog.random_movie() == only


def test_credits_of_a_movie_sort_cast_and_group_crew(db):
    movie = make_movie()
    for order in (2, 0, 1):
        make_cast_credit(movie, make_person(f"Actor {order}"), f"Role {order}", order=order)
    make_crew_credit(movie, make_person("Dee Rector"), "Director", "Directing")
    make_crew_credit(movie, make_person("Ray Ter"), "Screenplay", "Writing")
    make_crew_credit(movie, make_person("Ed Itor"), "Editor", "Editing")

    credits = catalog.credits_of(movie)

    assert [credit.person.name for credit in credits.cast] == ["Actor 0", "Actor 1", "Actor 2"]
    assert list(credits.crew_by_department) == ["Directing", "Editing", "Writing"]
    assert [person.name for person in credits.directors] == ["Dee Rector"]
    assert [person.name for person in credits.writers] == ["Ray Ter"]
    assert [credit.person.name for credit in catalog.cast_of(movie, limit=2)] == [
        "Actor 0",
        "Actor 1",
    ]


def test_genres_with_counts_and_languages(db):
    drama = make_genre("Drama")
    make_genre("Western")
    make_movie("A", genres=[drama], original_language="fr")
    make_movie("B", genres=[drama], original_language="fr")
    make_movie("C", original_language="ja")
    counts = [(genre.name, genre.count) for genre in catalog.genres_with_counts()]
    assert counts == [("Drama", 2), ("Western", 0)]
    assert catalog.languages() == ["fr", "ja"]
    assert catalog.get_genre_by_slug("drama") == drama
    assert catalog.get_genre_by_slug("nope") is None

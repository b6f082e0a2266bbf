"""Reading the catalog through the API: the same lists, movies and people as the pages."""

from datetime import date

import pytest

from app.models.mixins import utcnow
from app.services import reviews, search
from app.services.edits import merges
from tests.factories import (
    make_cast_credit,
    make_crew_credit,
    make_editor,
    make_genre,
    make_movie,
    make_person,
    make_user,
)


@pytest.fixture
def catalog(db):
    """Three movies in two genres, with a director, a star and a rating."""
    crime, drama = make_genre("Crime"), make_genre("Drama")
    heat = make_movie(
        "Heat",
        genres=[crime, drama],
        release_date=date(1995, 12, 15),
        runtime=170,
        popularity=50.0,
        overview="A heist.",
        translations={"pt-BR": {"title": "Fogo contra Fogo", "overview": "Um assalto."}},
    )
    thief = make_movie("Thief", genres=[crime], release_date=date(1981, 3, 27), popularity=20.0)
    amelie = make_movie("Amélie", genres=[drama], release_date=date(2001, 4, 25), popularity=30.0)
    mann, pacino = (
        make_person("Michael Mann", popularity=9.0, known_for_department="Directing"),
        make_person("Al Pacino"),
    )
    make_crew_credit(heat, mann, "Director", "Directing")
    make_crew_credit(thief, mann, "Director", "Directing")
    make_cast_credit(heat, pacino, "Vincent Hanna", order=0)
    reviews.upsert(
        user=make_user("rita"), movie=heat, rating=9, body="Great.", spoilers=False, recommends=True
    )
    search.rebuild()
    db.session.commit()
    return {"heat": heat, "thief": thief, "amelie": amelie, "mann": mann, "pacino": pacino}


def test_movies_list_pages_with_totals_and_links(client, catalog):
    response = client.get("/api/v1/movies/?per_page=2&sort=popularity")

    assert response.status_code == 200
    body = response.get_json()
    assert [movie["title"] for movie in body["items"]] == ["Heat", "Amélie"]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 2, 3, 2)
    assert response.headers["X-Total-Count"] == "3"
    links = response.headers["Link"]
    assert 'page=2>; rel="next"' in links
    assert 'page=2>; rel="last"' in links
    assert 'rel="prev"' not in links
    second = client.get("/api/v1/movies/?per_page=2&sort=popularity&page=2").get_json()
    assert [movie["title"] for movie in second["items"]] == ["Thief"]


def test_movies_list_filters_and_sorts_as_the_page_does(client, catalog):
    crime = client.get("/api/v1/movies/?genre=crime&sort=release_date&order=asc").get_json()
    both = client.get("/api/v1/movies/?genre=crime&genre=drama").get_json()
    nineties = client.get("/api/v1/movies/?year_from=1990&year_to=1999").get_json()

    assert [movie["title"] for movie in crime["items"]] == ["Thief", "Heat"]
    assert [movie["title"] for movie in both["items"]] == ["Heat"]
    assert [movie["title"] for movie in nineties["items"]] == ["Heat"]


def test_a_summary_carries_ids_figures_and_the_page_address(client, catalog):
    heat = client.get("/api/v1/movies/?genre=drama&sort=popularity").get_json()["items"][0]

    assert heat["id"] == catalog["heat"].id
    assert heat["year"] == 1995
    assert heat["review_count"] == 1
    assert heat["review_average"] == 9.0
    assert heat["url"] == f"http://localhost/movies/{catalog['heat'].id}-heat"


def test_an_unknown_genre_matches_nothing(client, catalog):
    body = client.get("/api/v1/movies/?genre=westerns").get_json()

    assert body["items"] == []
    assert body["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year_from=nineteen", "year_from"),
        ("per_page=500", "per_page"),
        ("page=0", "page"),
        ("sort=colour", "sort"),
        ("order=sideways", "order"),
        ("min_rating=11", "min_rating"),
        ("language=English", "language"),
    ],
)
def test_a_bad_filter_is_a_422_problem_naming_the_field(client, catalog, query, field):
    response = client.get(f"/api/v1/movies/?{query}")

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == "/api/problems/validation-failed"
    assert [(error["in"], error["field"]) for error in problem["errors"]] == [("query", field)]


def test_one_movie_with_genres_credits_figures_and_similar(client, catalog):
    response = client.get(f"/api/v1/movies/{catalog['heat'].id}")

    assert response.status_code == 200
    movie = response.get_json()
    assert movie["title"] == "Heat"
    assert movie["runtime"] == 170
    assert movie["overview"] == {"text": "A heist.", "language": "en"}
    assert [genre["slug"] for genre in movie["genres"]] == ["crime", "drama"]
    assert [(c["person"]["name"], c["character"]) for c in movie["cast"]] == [
        ("Al Pacino", "Vincent Hanna")
    ]
    assert [(c["person"]["name"], c["job"]) for c in movie["crew"]] == [
        ("Michael Mann", "Director")
    ]
    assert movie["members"]["count"] == 1
    assert movie["members"]["distribution"]["9"] == 1
    assert movie["members"]["recommend_share"] == 1.0
    assert movie["similar"][0]["title"] == "Thief"  # the same director


def test_texts_follow_accept_language(client, catalog):
    response = client.get(
        f"/api/v1/movies/{catalog['heat'].id}", headers={"Accept-Language": "pt-BR,pt;q=0.9"}
    )

    movie = response.get_json()
    assert movie["title"] == "Fogo contra Fogo"
    assert movie["overview"] == {"text": "Um assalto.", "language": "pt-BR"}
    assert response.headers["Content-Language"] == "pt-BR"
    assert "Accept-Language" in response.headers["Vary"]


def test_a_missing_movie_is_a_404_problem(client, catalog):
    response = client.get("/api/v1/movies/999999")

    assert response.status_code == 404
    assert response.get_json() == {
        "type": "/api/problems/not-found",
        "title": "There is nothing at this address",
        "status": 404,
        "detail": "There is no movie 999999.",
    }


def test_a_merged_movie_redirects_to_the_one_it_went_into(client, db, catalog):
    duplicate = make_movie("Heat (1995)")
    duplicate_id = duplicate.id
    merges.merge(duplicate=duplicate, survivor=catalog["heat"], editor=make_editor())
    db.session.commit()

    response = client.get(f"/api/v1/movies/{duplicate_id}")

    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/api/v1/movies/{catalog['heat'].id}")


def test_a_hidden_movie_is_gone(client, db, catalog):
    catalog["thief"].hidden_at = utcnow()
    db.session.commit()

    response = client.get(f"/api/v1/movies/{catalog['thief'].id}")

    assert response.status_code == 410
    assert response.get_json()["type"] == "/api/problems/gone"


def test_movie_reviews_page_newest_first(client, catalog):
    body = client.get(f"/api/v1/movies/{catalog['heat'].id}/reviews").get_json()

    assert [(r["author"], r["rating"], r["body"]) for r in body["items"]] == [("rita", 9, "Great.")]


def test_catalog_reads_answer_304_to_their_etag_until_the_catalog_changes(client, db, catalog):
    url = f"/api/v1/movies/{catalog['heat'].id}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""

    reviews.upsert(
        user=make_user("sam"),
        movie=catalog["heat"],
        rating=3,
        body=None,
        spoilers=False,
        recommends=None,
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["members"]["count"] == 2


def test_people_list_search_and_one_person(client, catalog):
    popular = client.get("/api/v1/people/").get_json()
    found = client.get("/api/v1/people/?q=mann").get_json()
    directors = client.get("/api/v1/people/?department=Directing").get_json()
    person = client.get(f"/api/v1/people/{catalog['mann'].id}").get_json()

    assert popular["items"][0]["name"] == "Michael Mann"
    assert [p["name"] for p in found["items"]] == ["Michael Mann"]
    assert found["total"] == 1
    assert [p["name"] for p in directors["items"]] == ["Michael Mann"]
    assert [(c["movie"]["title"], c["job"]) for c in person["crew"]] == [
        ("Heat", "Director"),
        ("Thief", "Director"),
    ]
    assert person["acting"] == []


def test_a_missing_person_is_a_404(client, catalog):
    assert client.get("/api/v1/people/999999").status_code == 404


def test_genres_with_their_counts(client, catalog):
    genres = client.get("/api/v1/genres/").get_json()

    assert genres == [
        {"slug": "crime", "name": "Crime", "movies": 2},
        {"slug": "drama", "name": "Drama", "movies": 2},
    ]


def test_search_and_suggestions(client, catalog):
    results = client.get("/api/v1/search/?q=heat").get_json()
    suggestions = client.get("/api/v1/search/suggestions?q=pac").get_json()

    assert [movie["title"] for movie in results["movies"]] == ["Heat"]
    assert [(s["type"], s["title"]) for s in suggestions["results"]] == [("person", "Al Pacino")]


def test_search_needs_a_query(client, catalog):
    response = client.get("/api/v1/search/")

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "q"


def test_a_kept_answer_is_served_without_the_view_with_its_links(client, db, catalog, shared_cache):
    from tests.routes.test_query_counts import counting

    url = "/api/v1/movies/?per_page=2"
    built = client.get(url)

    with counting(db.engine) as statements:
        kept = client.get(url)

    assert kept.get_json() == built.get_json()
    assert kept.headers["Link"] == built.headers["Link"]
    assert kept.headers["X-Total-Count"] == "3"
    assert kept.headers["ETag"] == built.headers["ETag"]
    assert len(statements) == 1  # the revision, for the ETag


def test_a_kept_answer_is_dropped_when_the_catalog_changes(client, db, catalog, shared_cache):
    url = f"/api/v1/movies/{catalog['heat'].id}"
    client.get(url)

    reviews.upsert(
        user=make_user("sam"),
        movie=catalog["heat"],
        rating=3,
        body=None,
        spoilers=False,
        recommends=None,
    )
    db.session.commit()

    assert client.get(url).get_json()["members"]["count"] == 2


@pytest.mark.parametrize(
    "query", ["endpoint=x", "_external=0", "_anchor=a", "_scheme=x", "_method=POST", "movie_id=2"]
)
def test_odd_extra_parameters_are_ignored_and_kept_in_the_links(client, catalog, query):
    response = client.get(f"/api/v1/movies/?per_page=1&{query}")

    assert response.status_code == 200
    assert f'?per_page=1&{query}&page=2>; rel="next"' in response.headers["Link"]


def test_a_decade_and_swapped_years_filter_as_the_page_does(client, catalog):
    nineties = client.get("/api/v1/movies/?decade=1990").get_json()
    swapped = client.get("/api/v1/movies/?year_from=2005&year_to=1980").get_json()

    assert [movie["title"] for movie in nineties["items"]] == ["Heat"]
    assert {movie["title"] for movie in swapped["items"]} == {"Heat", "Thief", "Amélie"}


def test_a_matching_etag_does_not_hide_a_bad_value(client, catalog):
    etag = client.get("/api/v1/movies/").headers["ETag"]

    response = client.get("/api/v1/movies/?page=abc", headers={"If-None-Match": etag})

    assert response.status_code == 422


def test_suggestions_link_with_whole_addresses(client, catalog):
    found = client.get("/api/v1/search/suggestions?q=heat").get_json()

    assert found["results"][0]["url"] == f"http://localhost/movies/{catalog['heat'].id}-heat"

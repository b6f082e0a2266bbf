"""Home page, "Surprise me" and the health check."""

from datetime import date

from tests.factories import make_genre, make_movie


def test_home_shows_an_empty_catalog(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "The catalog is empty" in response.get_data(as_text=True)


def test_home_has_rails_and_genre_links(client, db):
    drama = make_genre("Drama")
    make_movie("Crowd Pleaser", popularity=99.0, genres=[drama])
    make_movie("Critics Pick", vote_average=9.1, vote_count=5000)
    make_movie("Fresh One", release_date=date(2024, 6, 1))
    make_movie("Not Out Yet", release_date=date(2999, 1, 1))
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    for rail in ("Popular", "Top rated", "New releases", "Recently added"):
        assert rail in page
    top_rated = page.split('id="rail-top-rated"')[1].split('id="rail-new-releases"')[0]
    assert "Critics Pick" in top_rated
    assert "Crowd Pleaser" not in top_rated  # too few votes
    new = page.split('id="rail-new-releases"')[1].split('id="rail-recently-added"')[0]
    assert "Fresh One" in new
    assert "Not Out Yet" not in new
    assert f'href="/genres/{drama.slug}"' in page
    assert "4 movies" in page


def test_surprise_me_opens_a_movie(client, db):
    movie = make_movie("Only Choice")
    db.session.commit()
    response = client.get("/random")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/movies/{movie.id}-only-choice"


def test_surprise_me_on_an_empty_catalog_goes_home(client):
    response = client.get("/random", follow_redirects=True)
    assert "nothing to pick from yet" in response.get_data(as_text=True)


def test_health_check_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}, "jobs": "manual"}
    assert response.headers["Cache-Control"] == "no-store"

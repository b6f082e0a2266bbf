"""Home page and health check."""

from tests.factories import make_movie


def test_home_shows_an_empty_catalog(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "The catalog is empty" in response.get_data(as_text=True)


def test_home_lists_recently_added_movies(client, db):
    make_movie("Fight Club")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Fight Club" in page
    assert "1 movies" in page or "1 movie" in page


def test_health_check_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}

"""Every catalog page works on the bundled sample catalog."""

from sqlalchemy import select

from app.models import Genre, Movie, Person


def test_every_sample_movie_genre_and_person_page_renders(runner, client, db):
    assert runner.invoke(args=["seed", "sample"]).exit_code == 0
    movies = db.session.scalars(select(Movie)).all()
    people = db.session.scalars(select(Person).order_by(Person.id).limit(300)).all()
    genres = db.session.scalars(select(Genre)).all()

    urls = ["/", "/movies/", "/people/", "/genres/", "/search/?q=the", "/search/suggest?q=go"]
    urls += [f"/movies/{movie.id}-{movie.slug}" for movie in movies]
    urls += [f"/movies/{movie.id}-{movie.slug}/credits" for movie in movies[:20]]
    urls += [f"/people/{person.id}-{person.slug}" for person in people]
    urls += [f"/genres/{genre.slug}" for genre in genres]
    failures = [(url, status) for url in urls if (status := client.get(url).status_code) != 200]

    assert len(movies) >= 100
    assert failures == []


def test_sample_search_finds_accented_and_original_titles(runner, client, db):
    assert runner.invoke(args=["seed", "sample"]).exit_code == 0
    amelie = client.get("/search/suggest?q=amelie").json["results"]
    samurai = client.get("/search/suggest?q=七人").json["results"]
    godfather = client.get("/search/suggest?q=godf").json["results"]
    assert amelie[0]["title"].startswith("Amélie")
    assert samurai[0]["title"] == "Seven Samurai"
    assert {result["title"] for result in godfather} >= {"The Godfather", "The Godfather Part II"}

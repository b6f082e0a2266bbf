"""The fast link builders agree with url_for."""

from flask import url_for

from app.models import Movie, Person


def test_movie_and_person_urls_match_url_for(app):
    movie = Movie(id=7, title="Amélie / Ça: 七人の侍?")
    person = Person(id=9, name="Zoë Kravitz")
    globals_ = app.jinja_env.globals
    with app.test_request_context(base_url="http://example.test/sub"):
        assert globals_["movie_url"](movie) == url_for("movies.detail", movie_id=7, slug=movie.slug)
        assert globals_["person_url"](person) == url_for(
            "people.detail", person_id=9, slug=person.slug
        )

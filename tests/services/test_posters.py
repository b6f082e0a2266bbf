"""What a designed placeholder shows, loaded in a fixed number of queries."""

from datetime import date

from app.infra.placeholders import genre_background, movie_digest, person_digest
from app.services import posters
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person
from tests.routes.test_query_counts import counting


def test_a_movie_s_placeholder_shows_its_year_directors_and_genre_colours(db):
    horror, drama = make_genre("Horror"), make_genre("Drama")
    movie = make_movie("Suspiria", release_date=date(1977, 2, 1), genres=[drama, horror])
    make_crew_credit(movie, make_person("Dario Argento"), "Director", "Directing")
    make_crew_credit(movie, make_person("Claudio Argento"), "Producer", "Production")
    make_cast_credit(movie, make_person("Jessica Harper"), "Suzy", order=0)

    drawn = posters.for_movie(movie.id)

    assert ">Suspiria</text>" in drawn.svg
    assert ">1977</text>" in drawn.svg
    assert ">Dario Argento</text>" in drawn.svg
    assert "Claudio" not in drawn.svg
    assert "Jessica" not in drawn.svg
    first, second = genre_background(["horror", "drama"], seed="Suspiria").stops
    assert f'stop-color="{first}"' in drawn.svg
    assert f'stop-color="{second}"' in drawn.svg
    assert drawn.digest == movie_digest("Suspiria", 1977)


def test_a_movie_s_placeholder_costs_the_same_queries_however_many_credits(db):
    genre = make_genre("Drama")
    movie = make_movie("Crowded", genres=[genre])
    make_crew_credit(movie, make_person("First Director"), "Director", "Directing")
    with counting(db.engine) as few:
        posters.for_movie(movie.id)
    for number in range(30):
        make_crew_credit(movie, make_person(f"Director {number}"), "Director", "Directing")
        make_cast_credit(movie, make_person(f"Actor {number}"), f"Part {number}", order=number)
        movie.genres.append(make_genre(f"Genre {number}"))
    db.session.flush()

    with counting(db.engine) as many:
        drawn = posters.for_movie(movie.id)

    assert len(many) == len(few) == 3
    assert ">First Director,</text>" in drawn.svg
    assert ">Director 0 &amp; others</text>" in drawn.svg


def test_a_person_s_placeholder_shows_their_name_and_department(db):
    person = make_person("Vittorio Storaro", known_for_department="Lighting")

    with counting(db.engine) as statements:
        drawn = posters.for_person(person.id)

    assert len(statements) == 1
    assert ">Vittorio</text>" in drawn.svg
    assert ">LIGHTING</text>" in drawn.svg
    assert drawn.digest == person_digest("Vittorio Storaro", "Lighting")


def test_nothing_is_drawn_for_an_unknown_id(db):
    assert posters.for_movie(999_999) is None
    assert posters.for_person(999_999) is None

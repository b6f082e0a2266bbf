"""People: ages, filmographies, lists."""

from datetime import date

from app.services import people
from tests.factories import make_cast_credit, make_crew_credit, make_movie, make_person


def test_age_is_now_or_at_death():
    from app.models import Person

    alive = Person(name="A", birthday=date(1990, 6, 15))
    dead = Person(name="B", birthday=date(1920, 4, 1), deathday=date(1997, 12, 24))
    assert people.age(alive, today=date(2026, 6, 14)) == 35
    assert people.age(alive, today=date(2026, 6, 15)) == 36
    assert people.age(dead) == 77
    assert people.age(Person(name="C")) is None


def test_filmography_splits_acting_and_jobs_and_picks_known_for(db):
    person = make_person("Multi Talent")
    hit = make_movie("Hit", vote_count=10_000, release_date=date(2001, 1, 1))
    flop = make_movie("Flop", vote_count=5, release_date=date(2005, 1, 1))
    make_cast_credit(hit, person, "Lead")
    make_cast_credit(flop, person, "Cameo")
    make_crew_credit(flop, person, "Director", "Directing")

    filmography = people.filmography(person)

    assert [credit.movie.title for credit in filmography.acting] == ["Flop", "Hit"]
    assert list(filmography.crew_by_job) == ["Director"]
    assert [movie.id for movie in filmography.known_for] == [hit.id, flop.id]
    assert filmography.count == 3


def test_list_by_department(db):
    make_person("Actor", known_for_department="Acting", popularity=2.0)
    make_person("Director", known_for_department="Directing", popularity=1.0)
    page = people.list_(department="Directing")
    assert [person.name for person in page.items] == ["Director"]
    assert people.list_(page=50).page == 1

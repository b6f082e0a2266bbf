"""People pages."""

from datetime import date

from app.services import search
from tests.factories import make_cast_credit, make_crew_credit, make_movie, make_person


def test_people_list_shows_the_most_popular_first(client, db):
    make_person("Quiet Extra", popularity=0.5)
    make_person("Famous Star", popularity=90.0, known_for_department="Acting")
    db.session.commit()

    page = client.get("/people/").get_data(as_text=True)

    assert page.index("Famous Star") < page.index("Quiet Extra")
    assert "Acting" in page


def test_people_filter_by_department_and_search_by_name(client, db):
    director = make_person("Agnès Varda", known_for_department="Directing", popularity=5.0)
    actor = make_person("Anna Karina", known_for_department="Acting", popularity=6.0)
    search.index_people([director.id, actor.id])
    db.session.commit()

    directing = client.get("/people/?department=Directing").get_data(as_text=True)
    found = client.get("/people/?q=agnes").get_data(as_text=True)
    nobody = client.get("/people/?q=zzzz").get_data(as_text=True)
    bad = client.get("/people/?department=Juggling").get_data(as_text=True)

    assert "Agnès Varda" in directing
    assert "Anna Karina" not in directing
    assert "Agnès Varda" in found
    assert "Anna Karina" not in found
    assert "Nobody matches" in nobody
    assert "Ignored department" in bad
    assert "Anna Karina" in bad


def test_person_page_shows_age_and_filmography_by_role(client, db):
    person = make_person(
        "Helena Bonham Carter",
        biography="English actress.",
        birthday=date(1966, 5, 26),
        place_of_birth="London, England, UK",
        known_for_department="Acting",
    )
    make_cast_credit(make_movie("Fight Club", release_date=date(1999, 10, 15)), person, "Marla")
    make_cast_credit(make_movie("Big Fish", release_date=date(2003, 12, 25)), person, "Jenny")
    make_crew_credit(
        make_movie("Own Film", release_date=date(2010, 1, 1)), person, "Producer", "Production"
    )
    db.session.commit()

    response = client.get(f"/people/{person.id}-helena-bonham-carter")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "English actress." in page
    assert "May 26, 1966" in page
    assert "(age " in page
    assert "London, England, UK" in page
    acting = page.split("Filmography")[1]
    assert acting.index("Big Fish") < acting.index("Fight Club")
    assert "Marla" in acting
    assert "Producer" in acting
    assert "Own Film" in acting


def test_a_dead_persons_age_is_at_death(client, db):
    person = make_person("Toshirô Mifune", birthday=date(1920, 4, 1), deathday=date(1997, 12, 24))
    db.session.commit()
    page = client.get(f"/people/{person.id}-{person.slug}").get_data(as_text=True)
    assert "aged 77" in page


def test_person_slug_redirects_and_unknown_person_is_a_404(client, db):
    person = make_person("Meat Loaf")
    db.session.commit()

    response = client.get(f"/people/{person.id}-meatloaf")

    assert response.status_code == 301
    assert response.headers["Location"] == f"/people/{person.id}-meat-loaf"
    assert client.get("/people/424242").status_code == 404


def test_an_empty_people_list_says_so(client):
    assert "No people here yet" in client.get("/people/").get_data(as_text=True)

"""People pages."""

from datetime import date

from tests.factories import make_cast_credit, make_movie, make_person


def test_people_list_shows_the_most_popular_first(client, db):
    make_person("Quiet Extra", popularity=0.5)
    make_person("Famous Star", popularity=90.0, known_for_department="Acting")
    db.session.commit()

    page = client.get("/people/").get_data(as_text=True)

    assert page.index("Famous Star") < page.index("Quiet Extra")
    assert "Acting" in page


def test_person_page_shows_the_filmography_newest_first(client, db):
    person = make_person("Helena Bonham Carter", biography="English actress.")
    make_cast_credit(make_movie("Fight Club", release_date=date(1999, 10, 15)), person, "Marla")
    make_cast_credit(make_movie("Big Fish", release_date=date(2003, 12, 25)), person, "Jenny")
    db.session.commit()

    response = client.get(f"/people/{person.id}-helena-bonham-carter")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "English actress." in page
    assert page.index("Big Fish") < page.index("Fight Club")
    assert "as Marla" in page


def test_person_slug_redirects_and_unknown_person_is_a_404(client, db):
    person = make_person("Meat Loaf")
    db.session.commit()

    response = client.get(f"/people/{person.id}-meatloaf")

    assert response.status_code == 301
    assert response.headers["Location"] == f"/people/{person.id}-meat-loaf"
    assert client.get("/people/424242").status_code == 404


def test_an_empty_people_list_says_so(client):
    assert "No people here yet" in client.get("/people/").get_data(as_text=True)

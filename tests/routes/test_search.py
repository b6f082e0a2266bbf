"""Search pages and suggestions."""

import pytest

from app.services import search
from tests.factories import make_movie, make_person


@pytest.fixture
def indexed(db):
    movie = make_movie("Amélie", popularity=10.0)
    person = make_person("Audrey Tautou", popularity=5.0, known_for_department="Acting")
    search.index_movies([movie.id])
    search.index_people([person.id])
    db.session.commit()
    return movie, person


def test_results_are_grouped_by_type(client, indexed):
    page = client.get("/search/?q=a").get_data(as_text=True)
    assert "Amélie" in page
    assert "Audrey Tautou" in page
    assert page.index("Movies") < page.index("People")


def test_nothing_found_and_empty_queries_say_so(client, indexed):
    assert "Nothing matches" in client.get("/search/?q=zzz").get_data(as_text=True)
    assert "Type a title or a name" in client.get("/search/?q=").get_data(as_text=True)


def test_a_huge_query_is_trimmed_with_a_message(client, indexed):
    response = client.get("/search/?q=" + "amelie " * 2000)
    assert response.status_code == 200
    assert "cut to 200 characters" in response.get_data(as_text=True)


def test_suggestions_are_json_after_two_characters(client, indexed):
    movie, _person = indexed
    short = client.get("/search/suggest?q=a").json
    found = client.get("/search/suggest?q=am").json
    people = client.get("/search/suggest?q=tau").json

    assert short == {"query": "a", "results": []}
    assert found["results"][0] == {
        "id": movie.id,
        "type": "movie",
        "title": "Amélie",
        "subtitle": "1999",
        "url": f"/movies/{movie.id}-amelie",
        "image": None,
    }
    assert people["results"][0]["type"] == "person"
    assert people["results"][0]["subtitle"] == "Acting"


def test_person_suggestions_for_the_credit_picker_name_people_only(client, indexed):
    _movie, person = indexed

    picked = client.get("/search/suggest?q=am&kind=person").json
    named = client.get("/search/suggest?q=tau&kind=person").json

    assert picked["results"] == []  # Amélie is a movie
    assert [(result["type"], result["id"]) for result in named["results"]] == [
        ("person", person.id)
    ]


@pytest.mark.parametrize(
    "query", ["%", "_%_", "\\", "' OR '1'='1", "<script>", "😀😀", "a" * 10_000]
)
def test_odd_queries_never_fail(client, indexed, query):
    assert client.get("/search/suggest", query_string={"q": query}).status_code == 200
    response = client.get("/search/", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("<main")[1]

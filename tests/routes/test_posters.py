"""The designed placeholders' SVG route, and the pages that show them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from flask import url_for
from markupsafe import escape

from app.services import search
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person

PLACEHOLDER = re.compile(
    r'(src|data-fallback)="(/posters/(movie|person)/(\d+)\.svg\?v=[0-9a-f]{12})"'
)
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def catalog(db):
    """A film without a poster, its director and star without photos, and a film with one."""
    horror = make_genre("Horror")
    film = make_movie("Night & <Fog>", release_date=date(1956, 5, 1), genres=[horror])
    director = make_person("Alain Resnais", known_for_department="Directing", popularity=9.0)
    star = make_person("Michel Bouquet", known_for_department="Acting", popularity=8.0)
    make_crew_credit(film, director, "Director", "Directing")
    make_cast_credit(film, star, "Narrator", order=0)
    pictured = make_movie("Pictured", poster_path="/pictured.jpg", popularity=50.0)
    make_cast_credit(pictured, star, "Himself", order=0)
    search.rebuild()
    db.session.commit()
    return film, director, star, pictured


def placeholders_on(client, url: str) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """The placeholders a page shows, by (kind, id): each as (attribute, URL)."""
    response = client.get(url)
    assert response.status_code == 200, url
    found: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for attribute, address, kind, row_id in PLACEHOLDER.findall(response.get_data(as_text=True)):
        found.setdefault((kind, int(row_id)), []).append((attribute, address))
    return found


def test_a_movie_s_placeholder_is_an_svg_cached_for_a_year_under_its_digest(client, catalog):
    film, *_ = catalog
    address = placeholders_on(client, "/movies/")[("movie", film.id)][0][1]

    response = client.get(address)

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["ETag"]
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers
    root = ET.fromstring(response.get_data())  # noqa: S314 (our own output)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Night & <Fog>"
    svg = response.get_data(as_text=True)
    assert ">Alain Resnais</text>" in svg
    assert ">1956</text>" in svg


def test_a_person_s_placeholder_is_served_the_same_way(client, catalog):
    _, director, *_ = catalog
    address = placeholders_on(client, "/people/")[("person", director.id)][0][1]

    response = client.get(address)

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert ">DIRECTING</text>" in response.get_data(as_text=True)


def test_a_member_gets_the_same_shared_svg_and_no_cookie(client, catalog, ana):
    film, *_ = catalog
    address = placeholders_on(client, "/movies/")[("movie", film.id)][0][1]

    response = client.get(address)

    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in response.headers


def test_a_revalidation_is_answered_with_304(client, catalog):
    film, *_ = catalog
    address = placeholders_on(client, "/movies/")[("movie", film.id)][0][1]
    etag = client.get(address).headers["ETag"]

    again = client.get(address, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v=stale"])
def test_without_the_current_digest_the_svg_is_sent_but_revalidated(client, catalog, query):
    film, *_ = catalog

    response = client.get(f"/posters/movie/{film.id}.svg{query}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "/posters/movie/999999.svg",
        "/posters/person/999999.svg",
        "/posters/movie/0.svg",
        "/posters/movie/99999999999.svg",
        "/posters/movie/abc.svg",
        "/posters/movie/1.png",
    ],
)
def test_an_unknown_id_is_a_404(client, db, path):
    assert client.get(path).status_code == 404


def test_a_title_change_gives_the_placeholder_a_new_address(client, catalog, db):
    film, *_ = catalog
    before = placeholders_on(client, "/movies/")[("movie", film.id)][0][1]
    film.title = "Night and Fog"
    db.session.commit()

    after = placeholders_on(client, "/movies/")[("movie", film.id)][0][1]

    assert after != before
    assert client.get(after).headers["Cache-Control"] == IMMUTABLE
    assert client.get(before).headers["Cache-Control"] == "public, no-cache"


def test_the_hand_built_address_is_the_route_s(app, catalog):
    film, director, *_ = catalog
    with app.test_request_context():
        built = app.jinja_env.globals["placeholder_url"]
        assert built(film).startswith(url_for("posters.movie", movie_id=film.id) + "?v=")
        assert built(director, "profile").startswith(
            url_for("posters.person", person_id=director.id) + "?v="
        )


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_every_page_with_images_shows_the_designed_placeholder_for_what_has_none(
    request, client, catalog, signed_in
):
    film, director, star, pictured = catalog
    if signed_in:
        request.getfixturevalue("ana")
    expected = {
        "/": [("movie", film.id)],
        "/movies/": [("movie", film.id)],
        "/genres/horror": [("movie", film.id)],
        f"/movies/{film.id}-night-fog": [("movie", film.id), ("person", star.id)],
        "/people/": [("person", director.id), ("person", star.id)],
        f"/people/{star.id}-michel-bouquet": [("person", star.id), ("movie", film.id)],
        "/search/?q=night": [("movie", film.id)],
        "/search/?q=michel": [("person", star.id)],
    }
    for url, wanted in expected.items():
        found = placeholders_on(client, url)
        for key in wanted:
            attributes = {attribute for attribute, _ in found.get(key, [])}
            assert attributes == {"src", "data-fallback"}, (url, key)
        # A film with a poster shows it, with the placeholder only as its fallback.
        if ("movie", pictured.id) in found:
            assert {attribute for attribute, _ in found[("movie", pictured.id)]} == {
                "data-fallback"
            }


def test_every_placeholder_a_page_links_is_served_under_its_current_digest(client, catalog):
    addresses = {
        address
        for url in ("/", "/people/", f"/movies/{catalog[0].id}-night-fog")
        for entries in placeholders_on(client, url).values()
        for _, address in entries
    }
    assert len(addresses) >= 3
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        assert response.headers["Cache-Control"] == IMMUTABLE, address


def test_the_svg_route_runs_a_fixed_number_of_queries(client, catalog, db):
    from tests.routes.test_query_counts import counting

    film, *_ = catalog
    address = f"/posters/movie/{film.id}.svg"
    with counting(db.engine) as few:
        client.get(address)
    for number in range(20):
        make_crew_credit(film, make_person(f"Co-director {number}"), "Director", "Directing")
    db.session.commit()
    with counting(db.engine) as many:
        client.get(address)

    assert len(many) == len(few) <= 3


def placeholder_img(kind: str, item_id: int, name: str) -> str:
    """A pattern for the <img> of a placeholder whose alt is `name`, escaped as on the page."""
    alt = re.escape(str(escape(name)))
    return rf'src="/posters/{kind}/{item_id}\.svg[^"]*"\s+data-fallback="[^"]*" alt="{alt}"'


def test_a_placeholder_is_named_by_the_title_it_shows(client, catalog):
    film, _, star, pictured = catalog

    without = client.get(f"/movies/{film.id}-night-fog").get_data(as_text=True)
    person = client.get(f"/people/{star.id}-michel-bouquet").get_data(as_text=True)
    with_poster = client.get(f"/movies/{pictured.id}-pictured").get_data(as_text=True)

    assert re.search(placeholder_img("movie", film.id, film.title), without)
    assert re.search(placeholder_img("person", star.id, star.name), person)
    assert 'alt="Poster of Pictured"' in with_poster

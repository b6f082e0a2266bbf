"""Image URLs and generated placeholders."""

import base64

import pytest

from app.infra.images import initials, placeholder_colour, placeholder_data_uri


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Godfather", "TG"),
        ("Zoë", "Z"),
        ("七人の侍", "七"),
        ("", "?"),
        ("  -  ", "?"),
        ("a b c", "AB"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_placeholder_is_an_svg_with_initials_and_a_stable_colour():
    uri = placeholder_data_uri("Amélie <Poulain>")
    svg = base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg.startswith("<svg")
    assert ">A</text>" in svg
    assert "Poulain" not in svg  # only initials, never the raw name
    assert placeholder_colour("Amélie") == placeholder_colour("Amélie")
    assert placeholder_colour("Amélie") != placeholder_colour("Brazil")


def test_tmdb_image_urls_and_placeholder_filter(app):
    image = app.jinja_env.filters["tmdb_image"]
    assert image("/abc.jpg", "w500") == "https://image.tmdb.org/t/p/w500/abc.jpg"
    assert image(None) is None
    assert app.jinja_env.filters["placeholder_image"]("X").startswith("data:image/svg+xml;base64,")


def test_cards_fall_back_to_the_placeholder(client, db):
    from tests.factories import make_movie

    make_movie("No Poster")
    make_movie("With Poster", poster_path="/poster.jpg")
    db.session.commit()

    page = client.get("/movies/").get_data(as_text=True)

    assert 'src="https://image.tmdb.org/t/p/w342/poster.jpg"' in page
    assert page.count('data-fallback="data:image/svg+xml;base64,') >= 2
    assert 'loading="lazy"' in page
    assert 'width="342"' in page or 'width="185"' in page

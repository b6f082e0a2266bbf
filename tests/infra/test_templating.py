"""Jinja: .jinja2 templates are autoescaped."""

from flask import render_template_string

from app.infra.templating import autoescape
from tests.factories import make_movie


def test_script_in_data_renders_escaped_on_a_page(client, db):
    movie = make_movie("<script>alert('x')</script>", overview="<b>bold</b> claim")
    db.session.commit()

    page = client.get(f"/movies/{movie.id}", follow_redirects=True).get_data(as_text=True)

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_jinja2_files_and_strings_are_autoescaped(app):
    assert autoescape("movies/detail.jinja2")
    assert autoescape(None)
    assert not autoescape("mail/plain.txt")
    with app.test_request_context():
        assert render_template_string("{{ value }}", value="<i>") == "&lt;i&gt;"


def test_tmdb_image_filter_builds_sized_urls(app):
    image = app.jinja_env.filters["tmdb_image"]
    assert image("/abc.jpg", "w500") == "https://image.tmdb.org/t/p/w500/abc.jpg"
    assert image(None) is None

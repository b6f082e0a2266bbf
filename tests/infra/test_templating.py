"""Jinja: .jinja2 templates are autoescaped; the filters templates use."""

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from app.infra.templating import autoescape, format_date
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


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("day_month_year", "5 March 2024"),
        ("day_month", "5 March"),
        ("weekday_day_month", "Tuesday 5 March"),
        ("month_year", "March 2024"),
        ("year_month", "2024-03"),
        ("padded_day_month_year", "05 March 2024"),
        ("padded_day_month_year_time", "05 March 2024, 14:07"),
    ],
)
def test_date_filter_styles(style, expected):
    assert format_date(datetime(2024, 3, 5, 14, 7, tzinfo=UTC), style) == expected


def test_date_filter_writes_two_digit_days_whole_and_defaults_to_day_month_year():
    assert format_date(date(1999, 10, 15)) == "15 October 1999"
    assert format_date(date(2024, 12, 31), "weekday_day_month") == "Tuesday 31 December"
    assert format_date(None) == ""


def test_date_filter_in_a_template(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ day | date }} · {{ day | date('month_year') }}", day=date(2024, 3, 5)
        )
    assert html == "5 March 2024 · March 2024"

"""Jinja: .jinja2 templates are autoescaped; the filters templates use."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask import render_template_string
from flask_babel import force_locale

from app.infra.templating import ago, autoescape, format_date, money, number, runtime
from tests.factories import make_movie


def in_locale(app, locale, function, *args):
    """What a filter writes for a request in `locale`."""
    with app.test_request_context(), force_locale(locale):
        return function(*args)


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
    ("style", "english", "portuguese"),
    [
        ("day_month_year", "March 5, 2024", "5 de março de 2024"),
        ("day_month", "March 5", "5 de março"),
        ("weekday_day_month", "Tuesday, March 5", "terça-feira, 5 de março"),
        ("month_year", "March 2024", "março de 2024"),
        ("short_date", "Mar 5, 2024", "5 de mar. de 2024"),
        ("year_month", "2024-03", "2024-03"),
        ("day_month_year_time", "March 5, 2024, 2:07\u202fPM UTC", "5 de março de 2024, 14:07 UTC"),
    ],
)
def test_date_styles_are_written_as_each_language_writes_them(app, style, english, portuguese):
    moment = datetime(2024, 3, 5, 14, 7, tzinfo=UTC)
    assert in_locale(app, "en", format_date, moment, style) == english
    assert in_locale(app, "pt_BR", format_date, moment, style) == portuguese


def test_a_datetime_is_shown_in_utc(app):
    evening_in_sao_paulo = datetime(2024, 3, 5, 22, 30, tzinfo=timezone(timedelta(hours=-3)))
    shown = in_locale(app, "pt_BR", format_date, evening_in_sao_paulo, "day_month_year_time")
    assert shown == "6 de março de 2024, 01:30 UTC"
    assert in_locale(app, "pt_BR", format_date, evening_in_sao_paulo) == "5 de março de 2024"


def test_date_filter_defaults_to_day_month_year_and_is_empty_when_unknown(app):
    assert in_locale(app, "en", format_date, date(1999, 10, 15)) == "October 15, 1999"
    assert in_locale(app, "en", format_date, None) == ""


@pytest.mark.parametrize(
    ("amount", "english", "portuguese"),
    [
        (63_000_000, "$63,000,000", "US$\xa063.000.000"),
        (2_797_800_564, "$2,797,800,564", "US$\xa02.797.800.564"),
        (0, "", ""),  # TMDB's "unknown"
        (None, "", ""),
    ],
)
def test_money_is_whole_dollars_in_each_languages_way(app, amount, english, portuguese):
    assert in_locale(app, "en", money, amount) == english
    assert in_locale(app, "pt_BR", money, amount) == portuguese


@pytest.mark.parametrize(
    ("minutes", "english", "portuguese"),
    [
        (130, "2h 10m", "2 h 10 min"),
        (120, "2h", "2 h"),
        (45, "45m", "45 min"),
        (None, "", ""),
        (0, "", ""),
    ],
)
def test_runtimes_read_as_each_language_writes_them(app, minutes, english, portuguese):
    assert in_locale(app, "en", runtime, minutes) == english
    assert in_locale(app, "pt_BR", runtime, minutes) == portuguese


def test_numbers_take_the_languages_separators(app):
    assert in_locale(app, "en", number, 1234567) == "1,234,567"
    assert in_locale(app, "pt_BR", number, 1234567) == "1.234.567"
    assert in_locale(app, "en", number, 7.46, 1) == "7.5"
    assert in_locale(app, "pt_BR", number, 7.46, 1) == "7,5"
    assert in_locale(app, "pt_BR", number, None) == ""


def test_relative_times_are_said_in_each_language(app):
    three_hours_ago = datetime.now(UTC) - timedelta(hours=3, minutes=1)
    assert in_locale(app, "en", ago, three_hours_ago) == "3 hours ago"
    assert in_locale(app, "pt_BR", ago, three_hours_ago) == "há 3 horas"
    naive_yesterday = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1, hours=1)
    assert in_locale(app, "pt_BR", ago, naive_yesterday) == "há 1 dia"
    assert in_locale(app, "en", ago, None) == ""


def test_date_filter_in_a_template(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ day | date }} · {{ day | date('month_year') }}", day=date(2024, 3, 5)
        )
    assert html == "March 5, 2024 · March 2024"

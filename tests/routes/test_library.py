"""The watchlist and the watched diary: toggles, /watchlist, /diary, the movie page's forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import render_template_string
from flask_login import login_user

from app.models import DiaryEntry, SeenMovie
from app.services import diary, watchlist
from tests.factories import make_genre, make_movie, make_user
from tests.routes.test_query_counts import counting
from tests.support import csrf_token, titles_in

HERE = "http://localhost"


@pytest.fixture
def heat(db):
    movie = make_movie("Heat")
    db.session.commit()
    return movie


def post(client, url: str, *, headers: dict | None = None, **data):
    """POST a form with the CSRF token a signed-in page carries."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, headers=headers)


def listed(user, movie) -> bool:
    return watchlist.contains(user, movie)


# Watchlist toggles ------------------------------------------------------------


def test_add_and_remove_are_idempotent(client, ana, heat):
    for _ in range(2):
        assert post(client, f"/movies/{heat.id}/watchlist").status_code == 302
    assert listed(ana, heat)
    assert watchlist.count(ana) == 1

    for _ in range(2):
        assert post(client, f"/movies/{heat.id}/watchlist/remove").status_code == 302
    assert not listed(ana, heat)


def test_a_toggle_goes_back_to_the_page_it_came_from(client, ana, heat):
    response = post(
        client, f"/movies/{heat.id}/watchlist", headers={"Referer": f"{HERE}/movies/?page=2"}
    )

    assert response.headers["Location"] == "/movies/?page=2"
    page = client.get("/movies/?page=2").get_data(as_text=True)
    assert "“Heat” is on your watchlist." in page


def test_a_toggle_ignores_a_referer_from_another_site(client, ana, heat):
    response = post(
        client, f"/movies/{heat.id}/watchlist", headers={"Referer": "https://evil.example/x"}
    )

    assert response.headers["Location"] == f"/movies/{heat.id}-{heat.slug}"


def test_the_script_gets_json(client, ana, heat):
    alien = make_movie("Alien")
    watchlist.add(ana, alien)
    json_headers = {"Accept": "application/json"}

    added = post(client, f"/movies/{heat.id}/watchlist", headers=json_headers)
    assert added.status_code == 200
    assert added.get_json() == {"on_watchlist": True, "count": 2}

    removed = post(client, f"/movies/{heat.id}/watchlist/remove", headers=json_headers)
    assert removed.get_json() == {"on_watchlist": False, "count": 1}


@pytest.mark.parametrize(
    "path", ["/movies/{id}/watchlist", "/movies/{id}/watchlist/remove", "/movies/{id}/watched"]
)
def test_an_unknown_movie_is_a_404(client, ana, path):
    assert post(client, path.format(id=999_999)).status_code == 404


@pytest.mark.parametrize(
    "path", ["/movies/{id}/watchlist", "/movies/{id}/watchlist/remove", "/movies/{id}/watched"]
)
def test_a_post_without_csrf_token_is_refused(client, ana, heat, path):
    response = client.post(path.format(id=heat.id), data={"watched_on": "2024-03-01"})

    assert response.status_code == 400
    assert not listed(ana, heat)
    assert diary.watched_count(ana, heat) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/movies/{id}/watchlist"),
        ("post", "/movies/{id}/watchlist/remove"),
        ("post", "/movies/{id}/watched"),
        ("get", "/watchlist"),
        ("get", "/diary"),
    ],
)
def test_signed_out_visitors_are_sent_to_log_in(client, heat, method, path):
    data = {"csrf_token": csrf_token(client, "/login")} if method == "post" else None

    response = getattr(client, method)(path.format(id=heat.id), data=data)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# /watchlist -------------------------------------------------------------------


@pytest.fixture
def shelf(ana, db):
    """Ana's watchlist of three movies, and a fourth movie she has not listed."""
    drama, comedy = make_genre("Drama"), make_genre("Comedy")
    movies = {
        "Old Drama": make_movie("Old Drama", genres=[drama], popularity=3.0),
        "New Comedy": make_movie("New Comedy", genres=[comedy], popularity=9.0),
        "Dramedy": make_movie("Dramedy", genres=[drama, comedy], popularity=5.0),
    }
    for movie in movies.values():
        watchlist.add(ana, movie)
    make_movie("Unlisted Drama", genres=[drama], popularity=99.0)
    db.session.commit()
    return movies


ALL = ("Old Drama", "New Comedy", "Dramedy", "Unlisted Drama")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["New Comedy", "Dramedy", "Old Drama"]),
        ("sort=title", ["Dramedy", "New Comedy", "Old Drama"]),
        ("genre=drama", ["Dramedy", "Old Drama"]),
        ("genre=drama&sort=title&order=desc", ["Old Drama", "Dramedy"]),
    ],
)
def test_watchlist_sorts_and_filters_like_the_catalog(client, shelf, query, expected):
    page = client.get(f"/watchlist?{query}").get_data(as_text=True)

    assert titles_in(page, *ALL) == expected
    assert f"{len(expected)} movies" in page


def test_watchlist_pages(client, shelf):
    page = client.get("/watchlist?sort=title&per_page=12&page=9").get_data(as_text=True)

    assert titles_in(page, *ALL) == ["Dramedy", "New Comedy", "Old Drama"]  # clamped to page 1


def test_an_empty_watchlist_says_how_to_fill_it(client, ana, heat):
    page = client.get("/watchlist").get_data(as_text=True)

    assert "Nothing on your watchlist yet" in page
    assert "+ Watchlist" in page


def test_a_watchlist_filtered_to_nothing_offers_to_clear_the_filters(client, shelf):
    page = client.get("/watchlist?language=ja").get_data(as_text=True)

    assert "No movies match these filters" in page
    assert "Nothing on your watchlist yet" not in page


# Watched ----------------------------------------------------------------------


def test_watched_today_by_default(client, ana, heat):
    # What the movie page's form sends when left alone: today's date.
    response = post(client, f"/movies/{heat.id}/watched", watched_on=date.today().isoformat())

    assert response.status_code == 302
    assert diary.watched_count(ana, heat) == 1
    (entry,) = diary.month(ana, date.today().year, date.today().month)
    assert entry.watched_on == date.today()


def test_watching_a_listed_movie_with_the_box_ticked_takes_it_off(client, ana, heat, db):
    watchlist.add(ana, heat)
    db.session.commit()

    post(client, f"/movies/{heat.id}/watched", watched_on="2024-03-01", remove_from_watchlist="y")

    assert not listed(ana, heat)
    page = client.get("/").get_data(as_text=True)
    assert "“Heat” is in your diary for March 1, 2024. It is off your watchlist." in page


def test_watching_a_listed_movie_without_the_box_keeps_it(client, ana, heat, db):
    watchlist.add(ana, heat)
    db.session.commit()

    post(client, f"/movies/{heat.id}/watched", watched_on="2024-03-01")
    post(client, f"/movies/{heat.id}/watched", watched_on="2024-03-01")  # a rewatch

    assert listed(ana, heat)
    assert diary.watched_count(ana, heat) == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ((date.today() + timedelta(days=3)).isoformat(), "is in the future"),
        ("1850-01-01", "is before 1870"),
        ("31/02/2024", "“31/02/2024” is not a date: write it as YYYY-MM-DD."),
        ("", "Give the day you watched it."),
    ],
)
def test_a_bad_date_is_refused_on_the_movie_page_keeping_what_was_typed(
    client, ana, heat, typed, message
):
    back = f"/movies/{heat.id}-{heat.slug}"

    response = post(
        client, f"/movies/{heat.id}/watched", watched_on=typed, headers={"Referer": HERE + back}
    )

    assert response.status_code == 422
    assert diary.watched_count(ana, heat) == 0
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="watched-on-errors"' in page
    if typed and "/" not in typed:  # a date input shows back what it can read
        assert f'value="{typed}"' in page


# /diary -----------------------------------------------------------------------


@pytest.fixture
def diary_of_ana(ana, db):
    """Viewings in January, March (two days, a rewatch) and May 2024, and one of Bea's."""
    heat, alien = make_movie("Heat"), make_movie("Alien")
    entries = {
        "january": diary.log(ana, heat, date(2024, 1, 20)),
        "march-2": diary.log(ana, heat, date(2024, 3, 2)),
        "march-30": diary.log(ana, alien, date(2024, 3, 30)),
        "march-30-again": diary.log(ana, heat, date(2024, 3, 30)),
        "may": diary.log(ana, alien, date(2024, 5, 5)),
        "bea": diary.log(make_user("bea"), alien, date(2024, 3, 3)),
    }
    db.session.commit()
    return entries


def test_diary_shows_a_month_by_day_newest_first(client, diary_of_ana):
    page = client.get("/diary?month=2024-03").get_data(as_text=True)

    assert page.index("Saturday, March 30") < page.index("Saturday, March 2")
    assert "Sunday, March 3" not in page  # Bea's
    day_30 = page[page.index("Saturday, March 30") : page.index("Saturday, March 2")]
    assert day_30.count("/delete") == 2
    assert "Heat" in day_30
    assert "Alien" in day_30


def test_diary_links_the_months_with_entries(client, diary_of_ana):
    page = client.get("/diary?month=2024-03").get_data(as_text=True)

    assert 'rel="prev" href="/diary?month=2024-01"' in page  # February is empty: skipped
    assert 'rel="next" href="/diary?month=2024-05"' in page
    assert "March 2024</a>" in page
    assert "· 3 movies" in page


def test_diary_of_an_empty_month_still_links_its_neighbours(client, diary_of_ana):
    page = client.get("/diary?month=2024-02").get_data(as_text=True)

    assert "Nothing logged in February 2024" in page
    assert 'rel="prev" href="/diary?month=2024-01"' in page
    assert 'rel="next" href="/diary?month=2024-03"' in page


def test_diary_shows_this_month_by_default(client, ana, heat):
    diary.log(ana, heat, date.today())
    month = date.today().strftime("%B %Y")

    page = client.get("/diary").get_data(as_text=True)

    assert f'Your diary <span class="text-body-secondary fw-normal">{month}</span>' in page
    assert "Heat" in page
    assert 'rel="prev"' not in page


def test_an_empty_diary_says_how_to_fill_it(client, ana):
    page = client.get("/diary").get_data(as_text=True)

    assert "I watched it" in page


@pytest.mark.parametrize("month", ["2024-13", "1850-01", "March", "2024-3", "9" * 300])
def test_a_bad_month_falls_back_to_this_month_with_a_notice(client, ana, month):
    response = client.get("/diary", query_string={"month": month})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ignored month" in page
    assert date.today().strftime("%B %Y") in page


def test_delete_a_diary_entry(client, diary_of_ana, ana, db):
    entry = diary_of_ana["march-2"]

    response = post(client, f"/diary/{entry.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"] == "/diary?month=2024-03"
    page = client.get("/diary?month=2024-03").get_data(as_text=True)
    assert "Deleted “Heat”, March 2, 2024, from your diary." in page
    assert "Saturday, March 2" not in page


def test_someone_elses_diary_entry_is_a_404(client, diary_of_ana):
    entry = diary_of_ana["bea"]

    assert post(client, f"/diary/{entry.id}/delete").status_code == 404
    assert post(client, "/diary/999999/delete").status_code == 404
    assert diary.watched_count(entry.user, entry.movie) == 1


# Query counts -----------------------------------------------------------------


def grow_watchlist_and_diary(user, db, size: int) -> None:
    genre = make_genre(f"Genre {size}")
    for number in range(size):
        movie = make_movie(f"Grown {size}-{number}", genres=[genre], popularity=float(number))
        watchlist.add(user, movie)
        diary.log(user, movie, date(2024, 3, 1 + number % 28))
    db.session.commit()


@pytest.mark.parametrize(
    "url", ["/watchlist", "/watchlist?sort=title&genre=drama", "/diary?month=2024-03"]
)
def test_page_query_count_does_not_grow_with_the_lists(client, ana, db, url):
    make_genre("Drama")
    grow_watchlist_and_diary(ana, db, 3)
    with counting(db.engine) as small:
        assert client.get(url).status_code == 200
    grow_watchlist_and_diary(ana, db, 40)
    with counting(db.engine) as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 10


CARDS = """
{%- from "macros/library.jinja2" import watchlist_button -%}
{% for movie in movies %}{{ watchlist_button(movie, on_watchlist(movie.id)) }}{% endfor %}
<span data-watchlist-count>{{ watchlist_count() }}</span>
"""


def test_a_page_of_cards_asks_for_the_watchlist_once(app, db):
    ana = make_user("ana")
    movies = [make_movie(f"Card {number}") for number in range(48)]
    for movie in movies[::3]:
        watchlist.add(ana, movie)

    with app.test_request_context("/movies/"):
        login_user(ana)
        with counting(db.engine) as statements:
            html = render_template_string(CARDS, movies=movies)

    assert len(statements) == 1, "\n".join(statements)
    assert html.count('aria-pressed="true"') == 16
    assert html.count('aria-pressed="false"') == 32
    assert f'action="/movies/{movies[0].id}/watchlist/remove"' in html
    assert f'action="/movies/{movies[1].id}/watchlist"' in html
    assert "<span data-watchlist-count>16</span>" in html


def test_signed_out_cards_have_no_toggle_and_cost_no_query(app, db):
    movies = [make_movie(f"Card {number}") for number in range(3)]

    with app.test_request_context("/movies/"), counting(db.engine) as statements:
        html = render_template_string(CARDS, movies=movies)

    assert statements == []
    assert "<form" not in html
    assert "<span data-watchlist-count>0</span>" in html


# The movie page's partial -----------------------------------------------------

ACTIONS = '{% include "library/_movie_actions.jinja2" %}'


def test_movie_actions_for_a_listed_movie_watched_twice(app, db):
    ana, heat = make_user("ana"), make_movie("Heat")
    watchlist.add(ana, heat)
    diary.log(ana, heat, date(2024, 3, 1))
    diary.log(ana, heat, date(2024, 4, 1))

    with app.test_request_context(f"/movies/{heat.id}-{heat.slug}"):
        login_user(ana)
        html = render_template_string(ACTIONS, movie=heat)

    assert f'action="/movies/{heat.id}/watchlist/remove"' in html
    assert 'aria-pressed="true"' in html
    assert f'action="/movies/{heat.id}/watched"' in html
    assert f'value="{date.today().isoformat()}"' in html
    assert 'name="remove_from_watchlist" type="checkbox" value="y"' in html
    assert "checked" in html
    assert "Remove it from my watchlist" in html
    assert "You watched this 2 times." in html


def test_movie_actions_for_an_unlisted_movie_hide_the_removal_box(app, db):
    ana, heat = make_user("ana"), make_movie("Heat")

    with app.test_request_context(f"/movies/{heat.id}-{heat.slug}"):
        login_user(ana)
        html = render_template_string(ACTIONS, movie=heat)

    assert f'action="/movies/{heat.id}/watchlist"' in html
    assert 'aria-pressed="false"' in html
    assert "checked" not in html
    assert f'data-watchlist-only="/movies/{heat.id}/watchlist" hidden' in html
    assert "You watched this" not in html


def test_movie_actions_signed_out_offer_to_log_in(app, db):
    heat = make_movie("Heat")

    with app.test_request_context(f"/movies/{heat.id}-{heat.slug}"):
        html = render_template_string(ACTIONS, movie=heat)

    assert "<form" not in html
    assert f'href="/login?next=/movies/{heat.id}-{heat.slug}"' in html


# The script -------------------------------------------------------------------

LIBRARY_SCRIPT = r"/static/js/library\.[0-9a-f]{10}\.js"


@pytest.mark.parametrize("url", ["/", "/movies/", "/movies/{id}", "/watchlist", "/diary"])
def test_a_member_gets_library_js_once_on_every_page(client, ana, heat, url):
    response = client.get(url.format(id=heat.id), follow_redirects=True)

    assert response.status_code == 200
    assert len(re.findall(LIBRARY_SCRIPT, response.get_data(as_text=True))) == 1


def test_a_visitor_gets_no_library_js(client, heat):
    page = client.get(f"/movies/{heat.id}", follow_redirects=True).get_data(as_text=True)

    assert "/static/js/library." not in page


# Seen without a day (Letterboxd's watched.csv) ------------------------------------


def test_an_imported_seen_mark_shows_on_the_movie_page_until_forgotten(client, ana, heat, db):
    page = f"/movies/{heat.id}-{heat.slug}"
    assert "You have seen this" not in client.get(page).get_data(as_text=True)
    db.session.add(SeenMovie(user_id=ana.id, movie_id=heat.id))
    db.session.commit()
    assert "You have seen this (imported, no day logged)." in client.get(page).get_data(
        as_text=True
    )

    response = post(client, f"/movies/{heat.id}/seen/forget")

    assert response.status_code == 302
    assert "is no longer marked as seen" in client.get(page).get_data(as_text=True)
    assert diary.viewings(ana, heat) == (0, False)


def test_a_logged_viewing_speaks_louder_than_a_seen_mark(client, ana, heat, db):
    db.session.add(SeenMovie(user_id=ana.id, movie_id=heat.id))
    diary.log(ana, heat, date(2024, 2, 3))
    db.session.commit()
    page = client.get(f"/movies/{heat.id}-{heat.slug}").get_data(as_text=True)
    assert "You watched this once." in page
    assert "You have seen this" not in page
    assert diary.viewings(ana, heat) == (1, True)


def test_the_diary_shows_an_entry_s_rating_and_rewatch(client, ana, heat, db):
    db.session.add(
        DiaryEntry(
            user_id=ana.id, movie_id=heat.id, watched_on=date(2024, 2, 3), rating=8, rewatch=True
        )
    )
    db.session.commit()
    page = client.get("/diary?month=2024-02").get_data(as_text=True)
    assert "<span>Rated 8/10 that day</span> · <span>Rewatch</span>" in page

"""Conditional GET on catalog pages: ETag, Last-Modified and 304 for anonymous visitors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.http import http_date

from app.models.mixins import utcnow
from app.services import reviews, revisions
from tests.factories import make_cast_credit, make_genre, make_movie, make_person, make_user
from tests.routes.test_query_counts import counting
from tests.support import AuthActions, csrf_token


@pytest.fixture
def catalog(db):
    """A movie, a person and a genre, so every catalog page has something to show."""
    genre = make_genre("Drama")
    movie = make_movie("Heat", genres=[genre], popularity=9.0)
    person = make_person("Al Pacino")
    make_cast_credit(movie, person, "Vincent Hanna")
    db.session.commit()
    return {"movie": movie, "person": person}


def public_urls(catalog) -> list[str]:
    movie, person = catalog["movie"], catalog["person"]
    return [
        "/",
        "/movies/",
        "/movies/?genre=drama&sort=rating",
        f"/movies/{movie.id}-heat",
        f"/movies/{movie.id}-heat/credits",
        "/people/",
        f"/people/{person.id}-al-pacino",
        "/genres/",
        "/genres/drama",
        "/search/?q=heat",
        "/search/suggest?q=he",
    ]


def test_anonymous_catalog_pages_send_validators_and_answer_304(client, catalog):
    for url in public_urls(catalog):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.headers["ETag"].startswith('W/"'), url
        assert first.headers["Last-Modified"], url
        assert set(first.headers["Cache-Control"].split(", ")) == {"public", "no-cache"}, url

        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == first.headers["ETag"]

        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304, url


def test_a_304_is_answered_without_running_the_page(client, catalog, db):
    url = f"/movies/{catalog['movie'].id}-heat"
    etag = client.get(url).headers["ETag"]

    with counting(db.engine) as statements:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    assert len(statements) == 1
    assert "revisions" in statements[0]


def test_anonymous_pages_hold_nothing_of_one_visitor(client, catalog):
    """A page shared between visitors must not carry a CSRF token or a session's data."""
    for url in public_urls(catalog):
        assert "csrf_token" not in client.get(url).get_data(as_text=True), url


def test_a_stale_etag_or_an_old_date_gets_the_full_page(client, catalog):
    url = "/movies/"
    current = client.get(url)

    stale = client.get(url, headers={"If-None-Match": 'W/"0123456789-1-20000101"'})
    assert stale.status_code == 200
    assert stale.headers["ETag"] == current.headers["ETag"]

    long_ago = http_date(utcnow() - timedelta(days=400))
    assert client.get(url, headers={"If-Modified-Since": long_ago}).status_code == 200


def test_a_review_changes_the_pages_anonymous_visitors_revalidate(app, client, catalog, db):
    movie = catalog["movie"]
    url = f"/movies/{movie.id}-heat"
    before = client.get(url)
    make_user("bea").email_confirmed_at = utcnow()
    db.session.commit()
    writer = app.test_client()
    AuthActions(writer).login("bea")
    data = {"rating": "9", "body": "Still the best heist.", "recommends": "yes"}
    data["csrf_token"] = csrf_token(writer, url)
    assert writer.post(f"/movies/{movie.id}/review", data=data).status_code == 302

    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Still the best heist." in after.get_data(as_text=True)


def test_any_bump_changes_every_etag(client, catalog, db):
    before = client.get("/genres/").headers["ETag"]
    revisions.bump()
    db.session.commit()

    assert client.get("/genres/", headers={"If-None-Match": before}).status_code == 200


def test_signed_in_members_get_private_pages_without_validators(app, client, ana, catalog):
    url = f"/movies/{catalog['movie'].id}-heat"
    anonymous_etag = app.test_client().get(url).headers["ETag"]

    response = client.get(url, headers={"If-None-Match": anonymous_etag})

    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert "Last-Modified" not in response.headers
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Cookie" in response.headers["Vary"]


def test_a_pending_message_is_not_cached(client, catalog):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Signed out.")]

    response = client.get("/movies/")

    assert "ETag" not in response.headers
    assert "Signed out." in response.get_data(as_text=True)
    assert "ETag" in client.get("/movies/").headers


def test_redirects_and_missing_pages_carry_no_validators(client, catalog):
    redirect = client.get(f"/movies/{catalog['movie'].id}-wrong-slug")
    missing = client.get("/movies/999999-nothing")

    assert redirect.status_code == 301
    assert missing.status_code == 404
    assert "ETag" not in redirect.headers
    assert "ETag" not in missing.headers


def test_forms_and_account_pages_are_not_shared(client, ana):
    response = client.get("/account")

    assert "ETag" not in response.headers
    assert "private" in response.headers["Cache-Control"]


def test_anonymous_pages_set_no_cookie(client, catalog):
    for url in public_urls(catalog):
        assert "Set-Cookie" not in client.get(url).headers, url


def test_the_next_visitor_gets_the_rendered_page_from_the_cache(
    app, client, catalog, db, shared_cache
):
    url = f"/movies/{catalog['movie'].id}-heat"
    first = client.get(url)

    with counting(db.engine) as statements:
        again = app.test_client().get(url)

    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(statements) == 1  # the revision; the page came from the cache


def test_a_review_replaces_the_cached_page(app, client, catalog, db, shared_cache):
    movie = catalog["movie"]
    url = f"/movies/{movie.id}-heat"
    assert "Tense throughout." not in client.get(url).get_data(as_text=True)

    reviews.upsert(
        user=make_user("bea"),
        movie=movie,
        rating=8,
        body="Tense throughout.",
        spoilers=False,
        recommends=True,
    )
    db.session.commit()

    assert "Tense throughout." in client.get(url).get_data(as_text=True)


def test_an_edit_replaces_the_cached_pages_and_search_at_once(
    app, client, catalog, db, shared_cache
):
    from app.services import edits
    from tests.factories import make_editor

    movie, person = catalog["movie"], catalog["person"]
    pages = [f"/movies/{movie.id}-heat", "/movies/", f"/people/{person.id}-al-pacino", "/"]
    for url in pages:
        assert "Heat" in client.get(url).get_data(as_text=True)

    edits.update_movie(
        movie=movie, editor=make_editor(), values={"title": "Heat (director's cut)"}, version=1
    )
    db.session.commit()

    fixed = client.get(f"/movies/{movie.id}-heat", follow_redirects=True)
    assert "Heat (director&#39;s cut)" in fixed.get_data(as_text=True)
    for url in pages[1:]:
        assert "Heat (director&#39;s cut)" in client.get(url).get_data(as_text=True), url
    found = client.get("/search/suggest?q=director").json["results"]
    assert [result["title"] for result in found] == ["Heat (director's cut)"]


def test_members_and_one_time_messages_never_reach_the_page_cache(
    app, client, ana, catalog, shared_cache
):
    url = "/movies/"
    member_page = client.get(url).get_data(as_text=True)
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Only for you.")]
    visitor.get(url)

    shown = app.test_client().get(url).get_data(as_text=True)

    assert "Log out" in member_page
    assert "Log out" not in shown
    assert "Only for you." not in shown


def test_a_zero_page_cache_timeout_renders_every_time(
    app, client, catalog, db, shared_cache, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_CACHE_TIMEOUT", 0)
    url = f"/movies/{catalog['movie'].id}-heat"
    client.get(url)

    with counting(db.engine) as statements:
        assert app.test_client().get(url).status_code == 200

    assert len(statements) > 1

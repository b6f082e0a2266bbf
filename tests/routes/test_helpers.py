"""Helpers the views share: confirmed_required."""

from flask_login import login_user

from app.routes.helpers import confirmed_required
from tests.factories import make_user


def write_review():
    return "written"


def test_confirmed_required_turns_away_an_unconfirmed_member(app, db, monkeypatch):
    user = make_user("ana")
    guarded = confirmed_required(write_review)
    referer = {"Referer": "http://localhost/movies/1?tab=reviews"}  # browsers send it absolute
    with app.test_request_context("/movies/1", method="POST", headers=referer):
        login_user(user)
        response = guarded()
        assert response.status_code == 302
        assert response.headers["Location"] == "/movies/1?tab=reviews"

        user.email_confirmed_at = user.created_at
        assert guarded() == "written"


def test_confirmed_required_can_be_turned_off(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_CONFIRMED_EMAIL", False)
    user = make_user("ana")
    with app.test_request_context("/movies/1", method="POST"):
        login_user(user)
        assert confirmed_required(write_review)() == "written"


def test_a_referer_from_another_site_is_not_followed(app, db):
    user = make_user("ana")
    with app.test_request_context(
        "/movies/1", method="POST", headers={"Referer": "https://evil.example/x"}
    ):
        login_user(user)
        response = confirmed_required(write_review)()
        assert response.headers["Location"] == "/account"

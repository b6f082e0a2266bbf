"""Helpers the views share: confirmed_required."""

from flask_login import login_user

from app.routes.helpers import confirmed_required
from tests.factories import make_user


def write_review():
    return "written"


def test_confirmed_required_turns_away_an_unconfirmed_member(app, db, monkeypatch):
    user = make_user("ana")
    guarded = confirmed_required(write_review)
    with app.test_request_context("/movies/1", method="POST", headers={"Referer": "/movies/1"}):
        login_user(user)
        response = guarded()
        assert response.status_code == 302
        assert response.headers["Location"] == "/movies/1"

        user.email_confirmed_at = user.created_at
        assert guarded() == "written"


def test_confirmed_required_can_be_turned_off(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_CONFIRMED_EMAIL", False)
    user = make_user("ana")
    with app.test_request_context("/movies/1", method="POST"):
        login_user(user)
        assert confirmed_required(write_review)() == "written"

"""Error pages, rollback on failure, and a lost database."""

import pytest
from sqlalchemy import select

from app import create_app
from app.infra.db import db as database
from app.models import Genre
from tests.support import make_config


@pytest.mark.parametrize(
    ("code", "heading"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (429, "Too many requests"),
        (503, "Temporarily unavailable"),
        (418, "This request could not be completed"),  # a status without a page of its own
    ],
)
def test_each_error_has_its_page(failing_app, code, heading):
    response = failing_app.test_client().get(f"/status/{code}")
    assert response.status_code == code
    assert heading in response.get_data(as_text=True)


def test_a_status_without_its_own_page_says_its_code_in_the_readers_language(failing_app):
    english = failing_app.test_client().get("/status/418").get_data(as_text=True)
    portuguese = (
        failing_app.test_client()
        .get("/status/418", headers={"Accept-Language": "pt-BR"})
        .get_data(as_text=True)
    )
    assert "The server answered with status 418." in english
    assert "teapot" not in english  # Werkzeug's English name stays out
    assert "O servidor respondeu com o status 418." in portuguese
    assert "Não foi possível concluir esta solicitação" in portuguese


def test_unknown_url_gives_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_500_rolls_the_session_back(failing_app):
    failing_app.testing = False  # let the error handler answer, as in production
    response = failing_app.test_client().get("/boom")

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    with failing_app.app_context():
        assert database.session.scalars(select(Genre)).all() == []


def test_too_large_a_body_gives_the_413_page(failing_app):
    failing_app.config["MAX_CONTENT_LENGTH"] = 10
    response = failing_app.test_client().post(
        "/upload", data={"file": "x" * 100, "csrf_token": "irrelevant"}
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_wrong_method_gives_the_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)


def test_unreachable_database_gives_the_503_page(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "db.sqlite3"
    app = create_app(make_config(tmp_path, f"sqlite:///{missing}"))

    for url in ("/", "/movies/", "/movies/1-x", "/people/"):
        response = app.test_client().get(url)
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "cannot reach its database" in page
        assert "Traceback" not in page

    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json == {
        "status": "unavailable",
        "checks": {"database": "unavailable (OperationalError)"},
        "jobs": "manual",
    }
    assert health.headers["Cache-Control"] == "no-store"

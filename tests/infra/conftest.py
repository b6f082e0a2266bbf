"""Fixtures of the infrastructure tests."""

from __future__ import annotations

import pytest
from flask import abort

from app import create_app
from app.infra.db import db as database
from app.models import Genre
from tests.support import make_config


@pytest.fixture
def failing_app(tmp_path):
    """An app with routes that fail in each way, on its own migrated database."""
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'errors.sqlite3'}"))

    @app.get("/boom")
    def boom():
        database.session.add(Genre(name="Half written", slug="half-written"))
        database.session.flush()
        raise RuntimeError("unexpected")

    @app.get("/status/<int:code>")
    def status(code):
        abort(code)

    @app.after_request
    def commit_whatever_is_pending(response):
        # Code that commits late (say, a "last seen" stamp) must not save a
        # failed request's half-written rows: the 500 handler rolls them back first.
        database.session.commit()
        return response

    @app.post("/upload")
    def upload():
        return "ok"

    with app.app_context():
        database.create_all()
    return app

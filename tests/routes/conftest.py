"""Fixtures of the page tests."""

from __future__ import annotations

import pytest
from flask import Flask

from app.infra.config import DEFAULTS
from app.infra.limits import limiter
from tests.support import THROTTLES, Mailbox


@pytest.fixture
def mailbox(app: Flask) -> Mailbox:
    """What the app mails during the test."""
    return Mailbox(app)


@pytest.fixture
def throttled(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """The production limits, on a fresh count; returns a setter for one limit."""
    for name in THROTTLES:
        monkeypatch.setitem(app.config, name, DEFAULTS[name])
    limiter.reset()
    yield lambda name, value: monkeypatch.setitem(app.config, name, value)
    limiter.reset()


@pytest.fixture
def editor(client, auth, db):
    """Eddie, an editor, signed in."""
    from tests.factories import make_editor

    user = make_editor("eddie")
    db.session.commit()
    auth.login("eddie")
    return user

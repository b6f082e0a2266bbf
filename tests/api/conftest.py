"""Fixtures for the API's tests: a member and their tokens."""

from __future__ import annotations

import pytest

from app.models.mixins import utcnow
from app.services import api_tokens
from tests.factories import make_user


@pytest.fixture
def member(db):
    """Ana, a member who confirmed her email, with no data yet."""
    user = make_user("ana")
    user.email_confirmed_at = utcnow()
    db.session.commit()
    return user


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}


def token_for(db, user, *, scopes=("read", "write"), days: int | None = None) -> dict[str, str]:
    """A new token of the user's, as the header that sends it."""
    made = api_tokens.create(user=user, name="tests", scopes=set(scopes), expires_in_days=days)
    db.session.commit()
    return bearer(made.secret)


@pytest.fixture
def writer(db, member) -> dict[str, str]:
    """Headers with a read-and-write token of Ana's."""
    return token_for(db, member)


@pytest.fixture
def reader(db, member) -> dict[str, str]:
    """Headers with a read-only token of Ana's."""
    return token_for(db, member, scopes=("read",))

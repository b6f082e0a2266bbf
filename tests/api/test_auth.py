"""Who may call what: tokens in the Authorization header, scopes, and never a session cookie."""

from datetime import timedelta

import pytest

from app.models import ApiToken
from app.models.mixins import utcnow
from app.services import api_tokens
from tests.api.conftest import bearer, token_for
from tests.factories import make_movie


def test_a_member_endpoint_without_a_token_is_a_401_with_a_bearer_challenge(client, member):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Marquee"'
    problem = response.get_json()
    assert problem["type"] == "/api/problems/unauthorized"
    assert "Authorization: Bearer" in problem["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer mq_" + "x" * 43, "Bearer not-a-token", "Bearer ", "Basic YW5hOnB3"],
)
def test_a_bad_token_is_a_401_even_on_public_endpoints(client, db, header):
    response = client.get("/api/v1/genres/", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.get_json()["type"] == "/api/problems/unauthorized"


def test_a_revoked_token_is_a_401(client, db, member):
    made = api_tokens.create(user=member, name="old", scopes={"read"}, expires_in_days=None)
    api_tokens.revoke(member, made.token.id)
    db.session.commit()

    response = client.get("/api/v1/me", headers=bearer(made.secret))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["detail"] == "That token was revoked."


def test_an_expired_token_is_a_401(client, db, member):
    made = api_tokens.create(user=member, name="old", scopes={"read"}, expires_in_days=1)
    made.token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = client.get("/api/v1/me", headers=bearer(made.secret))

    assert response.status_code == 401
    assert response.get_json()["detail"] == "That token has expired."


def test_a_read_token_cannot_write(client, db, reader):
    movie = make_movie("Heat")
    db.session.commit()

    response = client.put(f"/api/v1/me/watchlist/{movie.id}", headers=reader)

    assert response.status_code == 403
    assert response.get_json()["type"] == "/api/problems/insufficient-scope"
    assert 'error="insufficient_scope", scope="write"' in response.headers["WWW-Authenticate"]
    assert client.get("/api/v1/me/watchlist", headers=reader).get_json()["total"] == 0


def test_a_read_token_reads(client, reader):
    response = client.get("/api/v1/me", headers=reader)

    assert response.status_code == 200
    assert response.get_json()["token"]["scopes"] == ["read"]


def test_a_signed_in_browser_s_cookie_does_not_authenticate_the_api(client, auth, member):
    auth.login()
    assert client.get("/account").status_code == 200  # the cookie works for pages

    response = client.get("/api/v1/me")

    assert response.status_code == 401


def test_writes_need_no_csrf_token_only_the_bearer_token(client, db, writer):
    movie = make_movie("Heat")
    db.session.commit()

    response = client.put(f"/api/v1/me/reviews/{movie.id}", json={"rating": 9}, headers=writer)

    assert response.status_code == 200
    assert response.get_json()["rating"] == 9


def test_using_a_token_records_when(client, db, member):
    made = api_tokens.create(user=member, name="dash", scopes={"read"}, expires_in_days=None)
    db.session.commit()
    assert made.token.last_used_at is None

    client.get("/api/v1/me", headers=bearer(made.secret))

    db.session.expire_all()
    used = db.session.get(ApiToken, made.token.id).last_used_at
    assert used is not None
    assert utcnow() - used < timedelta(minutes=1)


def test_a_disabled_member_s_token_stops_working(client, db, member):
    headers = token_for(db, member)
    member.active = False
    db.session.commit()

    assert client.get("/api/v1/me", headers=headers).status_code == 401

"""The account page's API tokens: made and shown once, listed by name and prefix, revoked."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.models import ApiToken
from app.services import api_tokens
from tests.factories import make_user
from tests.support import csrf_token

SHOWN_TOKEN = re.compile(r'id="new-token" type="text" value="(mq_[A-Za-z0-9_-]+)"')


def make_token(client, **fields):
    data = {"name": "Home dashboard", "scopes": "read", "expires_in_days": "90", **fields}
    return client.post(
        "/account/tokens", data={**data, "csrf_token": csrf_token(client, "/account")}
    )


def test_a_new_token_is_shown_once_and_works(client, ana, db):
    response = make_token(client, scopes="read write", expires_in_days="")

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = SHOWN_TOKEN.search(page).group(1)
    assert "this is the only time it is shown" in page
    assert "It never expires" in page
    account = client.get("/account").get_data(as_text=True)
    assert secret not in account
    assert secret[:9] + "…" in account
    assert "Home dashboard" in account
    assert "read and write" in account
    assert "never used" in account
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["token"]["scopes"] == ["read", "write"]
    stored = db.session.scalar(select(ApiToken))
    assert stored.secret_hash == api_tokens.secret_hash(secret)


def test_a_read_token_with_an_expiry(client, ana, db):
    make_token(client, scopes="read", expires_in_days="30")

    token = db.session.scalar(select(ApiToken))
    assert token.scope_set == {"read"}
    assert (token.expires_at - token.created_at).days == 30
    assert "expires on" in client.get("/account").get_data(as_text=True)


def test_a_token_without_a_name_is_refused_on_the_page(client, ana, db):
    response = make_token(client, name="")

    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_an_unknown_scope_or_expiry_is_refused(client, ana, db):
    assert make_token(client, scopes="admin").status_code == 422
    assert make_token(client, expires_in_days="7").status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_stops_the_token_at_once(client, ana, db):
    secret = SHOWN_TOKEN.search(make_token(client).get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))

    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account")}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account#tokens-heading")
    assert "no longer works" in client.get("/account").get_data(as_text=True)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def test_no_one_revokes_another_member_s_token(client, ana, db):
    bruno = make_user("bruno")
    theirs = api_tokens.create(user=bruno, name="bot", scopes={"read"}, expires_in_days=None)
    db.session.commit()

    response = client.post(
        f"/account/tokens/{theirs.token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account")},
    )

    assert response.status_code == 404
    assert api_tokens.authenticate(theirs.secret).id == theirs.token.id


def test_revoking_needs_the_form_s_csrf_token(client, ana, db):
    make_token(client)
    token = db.session.scalar(select(ApiToken))

    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_tokens_need_a_signed_in_member(client, db):
    token = csrf_token(client, "/login")

    response = client.post("/account/tokens", data={"name": "x", "csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert db.session.scalar(select(ApiToken)) is None

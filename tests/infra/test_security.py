"""CSRF, security headers and safe redirects."""

import pytest

from app.infra.security import content_security_policy, is_safe_redirect


def test_every_response_carries_security_headers(client):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # only with secure cookies


def test_images_may_come_from_the_tmdb_image_host_only():
    policy = content_security_policy("https://image.tmdb.org/t/p")
    assert "img-src 'self' data: https://image.tmdb.org;" in policy


def test_a_form_post_without_a_csrf_token_is_refused(client):
    response = client.post("/login", data={"identifier": "ana", "password": "x" * 12})
    assert response.status_code == 400
    assert "CSRF token is missing" in response.get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/login")  # the form's CSRF token lives in the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # only prod sets Secure, as it is served over HTTPS


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/movies?page=2", True),
        ("/", True),
        ("", False),
        (None, False),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("movies", False),
    ],
)
def test_only_same_site_paths_are_safe_redirects(target, safe):
    assert is_safe_redirect(target) is safe


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/users/a%00b", None),
        ("GET", "/search/?q=a%00b", None),
        ("POST", "/login", {"identifier": "a\x00b", "password": "x"}),
    ],
)
def test_a_nul_byte_anywhere_is_a_400(client, method, url, data):
    response = client.open(url, method=method, data=data)

    assert response.status_code == 400


def test_behind_trusted_proxies_the_visitor_address_is_used(app, tmp_path, database_url):
    from app import create_app
    from tests.support import make_config

    proxied = create_app(make_config(tmp_path, database_url, TRUSTED_PROXY_COUNT=1))
    seen = {}

    @proxied.get("/whoami")
    def whoami():
        from flask import request

        seen["address"], seen["scheme"] = request.remote_addr, request.scheme
        return "ok"

    proxied.test_client().get(
        "/whoami",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )

    assert seen == {"address": "203.0.113.9", "scheme": "https"}

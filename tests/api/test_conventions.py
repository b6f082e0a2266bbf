"""What every API answer shares: problem+json errors, rate limits, CORS, the docs."""

import re
from pathlib import Path

import pytest

from app import create_app
from app.infra.limits import limiter
from app.infra.problems import PROBLEM_TYPES
from tests.factories import make_movie
from tests.support import make_config


def test_an_unknown_api_address_is_a_problem_while_pages_stay_html(client, db):
    api = client.get("/api/v1/nothing-here")
    page = client.get("/nothing-here")

    assert api.status_code == 404
    assert api.mimetype == "application/problem+json"
    assert api.get_json()["type"] == "/api/problems/not-found"
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_a_method_not_allowed_says_which_are(client, db):
    response = client.post("/api/v1/genres/")

    assert response.status_code == 405
    assert response.get_json()["type"] == "/api/problems/method-not-allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_broken_json_is_a_problem(client, db, writer):
    movie = make_movie("Heat")
    db.session.commit()

    response = client.put(
        f"/api/v1/me/reviews/{movie.id}",
        data='{"rating": 9',
        headers={**writer, "Content-Type": "application/json"},
    )

    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_a_body_too_large_is_a_413_problem(client, db, writer, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    movie = make_movie("Heat")
    db.session.commit()

    response = client.put(
        f"/api/v1/me/reviews/{movie.id}", json={"rating": 9, "body": "x" * 4000}, headers=writer
    )

    assert response.status_code == 413
    assert response.get_json()["type"] == "/api/problems/payload-too-large"


@pytest.fixture
def limits(app, monkeypatch):
    """Set the API's limits for one test, on a fresh count."""
    limiter.reset()
    yield lambda name, value: monkeypatch.setitem(app.config, name, value)
    limiter.reset()


def test_answers_carry_the_standard_rate_limit_headers(client, db, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "5 per minute")

    response = client.get("/api/v1/genres/")

    assert response.headers["RateLimit-Limit"] == "5"
    assert response.headers["RateLimit-Remaining"] == "4"
    assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
    assert response.headers["RateLimit-Policy"] == "5;w=60"
    assert "X-RateLimit-Limit" not in response.headers
    assert "Retry-After" not in response.headers


def test_too_many_requests_from_an_address_is_a_429_with_retry_after(client, db, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "2 per minute")
    client.get("/api/v1/genres/")
    client.get("/api/v1/genres/")

    refused = client.get("/api/v1/genres/")

    assert refused.status_code == 429
    assert refused.get_json()["type"] == "/api/problems/rate-limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 61  # Flask-Limiter's own rounding
    assert refused.headers["RateLimit-Remaining"] == "0"


def test_a_token_has_its_own_limit(client, db, writer, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "1 per minute")
    limits("API_RATE_LIMIT_PER_TOKEN", "3 per minute")
    client.get("/api/v1/genres/")
    assert client.get("/api/v1/genres/").status_code == 429

    answers = [client.get("/api/v1/me", headers=writer).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_the_site_s_pages_are_not_counted_against_the_api(client, db, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "1 per minute")

    assert [client.get("/genres/").status_code for _ in range(3)] == [200, 200, 200]


def test_cors_is_off_unless_origins_are_configured(client, db):
    response = client.get("/api/v1/genres/", headers={"Origin": "https://dash.example"})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_configured_origins_may_call_the_api_from_a_browser(tmp_path, database_url):
    app = create_app(make_config(tmp_path, database_url, API_CORS_ORIGINS="https://dash.example"))
    client = app.test_client()

    allowed = client.options(
        "/api/v1/me",
        headers={
            "Origin": "https://dash.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    stranger = client.options(
        "/api/v1/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    document = client.get("/api/v1/openapi.json", headers={"Origin": "https://dash.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dash.example"
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert document.headers["Access-Control-Allow-Origin"] == "https://dash.example"
    exposed = document.headers["Access-Control-Expose-Headers"]
    assert "Link" in exposed
    assert "RateLimit-Remaining" in exposed


def test_the_docs_page_renders_the_document_with_the_vendored_ui_and_no_inline_script(client, db):
    response = client.get("/api/docs")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    assert re.search(
        r'src="/static/vendor/swagger-ui-5\.36\.0/swagger-ui-bundle\.[0-9a-f]+\.js"', page
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_vendored_ui_keeps_its_licence(app):
    folder = Path(app.static_folder) / "vendor" / "swagger-ui-5.36.0"

    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "sourceMappingURL" not in (folder / "swagger-ui-bundle.js").read_text()


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_has_its_page(client, db, slug):
    response = client.get(PROBLEM_TYPES[slug].type)

    assert response.status_code == 200
    assert f'id="{slug}"' in response.get_data(as_text=True)


def test_the_document_is_served_with_a_validator(client):
    first = client.get("/api/v1/openapi.json")
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 304


def test_problems_speak_the_reader_s_language_but_keep_their_type(client, db):
    response = client.get("/api/v1/movies/999999", headers={"Accept-Language": "pt-BR"})

    problem = response.get_json()
    assert problem["type"] == "/api/problems/not-found"
    assert problem["title"] == "Não há nada neste endereço"
    assert problem["detail"] == "Não há filme 999999."


def test_the_api_ignores_the_language_cookie_and_saved_preference(client, db, member, writer):
    member.locale = "pt-BR"
    db.session.commit()
    client.set_cookie("locale", "pt-BR")

    response = client.get("/api/v1/nothing", headers={**writer, "Accept-Language": "en"})

    assert response.get_json()["title"] == "There is nothing at this address"
    assert response.headers["Content-Language"] == "en"


def test_the_api_root_without_its_slash_is_a_problem_too(client, db):
    response = client.get("/api/v1")

    assert response.mimetype == "application/problem+json"


def test_made_up_tokens_count_against_the_address(client, db, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "3 per minute")
    made_up = [{"Authorization": f"Bearer mq_{n:043d}"} for n in range(4)]

    answers = [client.get("/api/v1/genres/", headers=headers).status_code for headers in made_up]

    assert answers == [401, 401, 401, 429]


def test_a_429_says_so_in_the_reader_s_language(client, db, limits):
    limits("API_RATE_LIMIT_PER_ADDRESS", "1 per minute")
    client.get("/api/v1/genres/")

    refused = client.get("/api/v1/genres/", headers={"Accept-Language": "pt-BR"})

    assert refused.status_code == 429
    assert refused.get_json()["title"] == "Requisições demais"
    assert refused.headers["Content-Language"] == "pt-BR"


def test_with_several_origins_answers_vary_on_the_origin(tmp_path, database_url):
    app = create_app(
        make_config(tmp_path, database_url, API_CORS_ORIGINS="https://a.example, https://b.example")
    )
    client = app.test_client()

    named = client.get("/api/v1/openapi.json", headers={"Origin": "https://b.example"})
    unnamed = client.get("/api/v1/openapi.json")

    assert named.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in named.headers["Vary"]
    assert len(named.headers.getlist("Vary")) == 1
    assert "Access-Control-Allow-Origin" not in unnamed.headers


def test_field_errors_speak_the_reader_s_language(client, db):
    response = client.get("/api/v1/movies/?per_page=500", headers={"Accept-Language": "pt-BR"})

    assert response.get_json()["errors"] == [
        {"in": "query", "field": "per_page", "detail": "Use um número de 1 a 96."}
    ]

"""Fingerprinted static files, the release id and the default Cache-Control."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.infra.httpcache import ONE_YEAR, Fingerprints, release_of

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
FINGERPRINTED_CSS = re.compile(r'href="(/static/css/marquee\.([0-9a-f]{10})\.css)"')


def test_pages_link_static_files_by_their_content(client):
    page = client.get("/").get_data(as_text=True)

    url, digest = FINGERPRINTED_CSS.search(page).groups()
    with client.get(url) as response:
        response.get_data()

    assert response.status_code == 200
    assert response.data == (STATIC / "css" / "marquee.css").read_bytes()
    assert Fingerprints(STATIC, watch=False).digest("css/marquee.css") == digest
    policy = set(response.headers["Cache-Control"].split(", "))
    assert policy == {"public", f"max-age={ONE_YEAR}", "immutable"}
    scripts = re.findall(r'<script src="(/static/[^"]+)"', page)
    assert scripts
    for script in scripts:
        assert re.search(r"\.[0-9a-f]{10}\.js$", script), script
        with client.get(script) as fetched:
            assert fetched.status_code == 200


def test_an_older_fingerprint_gets_todays_file_revalidated(client):
    with client.get("/static/css/marquee.0000000000.css") as response:
        response.get_data()

    assert response.status_code == 200
    assert response.data == (STATIC / "css" / "marquee.css").read_bytes()
    assert "immutable" not in response.headers["Cache-Control"]
    assert "no-cache" in response.headers["Cache-Control"]


def test_plain_static_names_still_work_and_are_revalidated(client):
    with client.get("/static/images/favicon.svg") as response:
        response.get_data()

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_missing_and_outside_files_are_404(client):
    assert client.get("/static/css/nothing.0123456789.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../infra/config.0123456789.py").status_code == 404
    assert client.get("/static/..%2F__init__.py").status_code == 404


def test_fingerprints_follow_an_edited_file_only_when_watching(tmp_path):
    style = tmp_path / "site.css"
    style.write_text("body { color: black }")
    watching, fixed = Fingerprints(tmp_path, watch=True), Fingerprints(tmp_path, watch=False)
    first = watching.url_name("site.css")
    assert fixed.url_name("site.css") == first
    assert re.fullmatch(r"site\.[0-9a-f]{10}\.css", first)

    style.write_text("body { color: white; background: black }")
    os.utime(style, ns=(1, 1))

    assert watching.url_name("site.css") != first
    assert fixed.url_name("site.css") == first


def test_names_without_an_extension_or_file_are_left_alone(tmp_path):
    (tmp_path / "LICENSE").write_text("MIT")
    fingerprints = Fingerprints(tmp_path, watch=False)

    assert fingerprints.url_name("LICENSE") == "LICENSE"
    assert fingerprints.url_name("missing.css") == "missing.css"
    assert fingerprints.digest("../outside.css") is None


def test_the_release_changes_with_any_template_code_or_static_file(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "views.py").write_text("x = 1\n")
    (tmp_path / "templates" / "page.jinja2").write_text("<p>hello</p>")
    (tmp_path / "static" / "site.css").write_text("p {}")

    def release() -> str:
        return release_of(tmp_path, Fingerprints(tmp_path / "static", watch=False))[0]

    seen = {release()}
    for path, text in (
        ("views.py", "x = 2\n"),
        ("templates/page.jinja2", "<p>bye</p>"),
        ("static/site.css", "p { margin: 0 }"),
    ):
        (tmp_path / path).write_text(text)
        seen.add(release())
    assert len(seen) == 4
    assert release() in seen  # the same files give the same id (several servers agree)


def test_dynamic_pages_default_to_revalidation(client):
    response = client.get("/login")

    assert response.headers["Cache-Control"] == "no-cache"

"""axe-core (tests/browser/package.json) in Chromium: no serious or critical violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.members import log_in, sign_up_and_confirm
from tests.conftest import axe_pages

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# The color schemes a visitor's system may ask for; the site follows them (theme "auto").
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test-browser does)"
        )
    return AXE.read_text()


def violations(page: Page, axe_source: str) -> list[str]:
    """axe's serious and critical findings on the page as it stands, one line each."""
    page.wait_for_load_state()  # a page still arriving would show half its links
    # Injected as a script tag: the tab bypasses the site's CSP, which forbids inline script.
    page.add_script_tag(content=axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    axe_pages[urlsplit(page.url).path] += 1
    return [
        f"{page.url} [{rule['impact']}] {rule['id']}: {rule['help']} at "
        + ", ".join(" ".join(node["target"]) for node in rule["nodes"][:5])
        for rule in results["violations"]
        if rule["impact"] in BLOCKING
    ]


def visit_the_catalog(page: Page) -> Iterator[None]:
    """Walk home → list → movie → person → search as a person would, pausing on each page."""
    page.goto("/")
    yield
    page.get_by_role("link", name="Browse all movies").click()
    yield
    page.get_by_role("link", name="The Godfather 1972").first.click()
    yield
    page.get_by_role("link", name="Al Pacino").first.click()
    yield
    page.get_by_role("combobox", name="Search").fill("star")
    page.get_by_role("combobox", name="Search").press("Enter")
    yield
    page.get_by_role("combobox", name="Search").clear()
    page.get_by_role("combobox", name="Search").press_sequentially("alie", delay=40)
    page.get_by_role("option").first.wait_for()
    yield  # the type-ahead's listbox, open


@pytest.mark.parametrize("scheme", SCHEMES)
def test_catalog_pages_for_a_visitor(open_tab, axe_source, scheme):
    page = open_tab(bypass_csp=True, color_scheme=scheme)
    found, pages = [], []
    for _ in visit_the_catalog(page):
        pages.append(page.url)
        found += violations(page, axe_source)
    for path in ("/signup", "/login"):
        page.goto(path)
        pages.append(page.url)
        found += violations(page, axe_source)

    assert len(pages) == 8
    assert [url.split("/", 3)[3] for url in pages[1:4]] == [
        "movies/",
        "movies/23-the-godfather",
        "people/106-al-pacino",
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_members_pages(open_tab, served_site, axe_source, scheme):
    page = open_tab(bypass_csp=True, color_scheme=scheme)
    username = f"axe{scheme}"
    sign_up_and_confirm(page, served_site[1], username)
    log_in(page, username)
    found = []
    for path in (
        "/movies/23-the-godfather",
        "/watchlist",
        "/diary",
        "/account",
        f"/users/{username}",
    ):
        page.goto(path)
        found += violations(page, axe_source)
    # A form sent back with its errors shown.
    page.goto("/account")
    page.get_by_role("button", name="Change password").click()
    found += violations(page, axe_source)

    assert found == [], "\n".join(found)

"""axe-core (tests/browser/package.json) in Chromium: no serious or critical violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.members import PASSWORD, log_in, portuguese, sign_up_and_confirm
from tests.support import axe_pages, mailed_link

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# The colour schemes a visitor's system may ask for; the site follows them (theme "auto").
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, as `npm ci` installed it from the lock file."""
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test-browser does)"
        )
    return AXE.read_text()


def violations(page: Page, axe_source: str, scheme: str) -> list[str]:
    """axe's serious and critical findings on the page as it stands, one line each."""
    page.wait_for_load_state()  # a page still arriving would show half its links
    assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme
    # Evaluated, not added as a <script>: the site's CSP forbids inline script, and stays on.
    page.evaluate(axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert len(results["passes"]) >= 20, "axe found next to nothing to check"
    axe_pages[urlsplit(page.url).path] += 1
    return [
        f"{page.url} [{rule['impact']}] {rule['id']}: {rule['help']} at "
        + ", ".join(" ".join(node["target"]) for node in rule["nodes"][:5])
        for rule in results["violations"]
        if rule["impact"] in BLOCKING
    ]


def visit_the_catalog(page: Page) -> Iterator[str]:
    """Walk the catalog as a person would; yield the path each step should have reached."""
    page.goto("/")
    yield "/"
    page.get_by_role("link", name="Browse all movies").click()
    yield "/movies/"
    page.get_by_role("link", name="The Godfather 1972").first.click()
    yield "/movies/23-the-godfather"
    page.get_by_role("link", name="Al Pacino").first.click()
    yield "/people/106-al-pacino"
    search = page.get_by_role("combobox", name="Search")
    search.fill("star")
    search.press("Enter")
    yield "/search/?q=star"
    search.fill("alie")
    expect(page.get_by_role("option").first).to_be_visible()
    yield "/search/?q=star"  # with the type-ahead's listbox open
    page.goto("/signup")
    yield "/signup"
    page.goto("/login")
    yield "/login"


def here(page: Page) -> str:
    """The page's path and query."""
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_catalog_pages_for_a_visitor(open_tab, axe_source, scheme):
    page = open_tab(color_scheme=scheme)
    found = []
    for expected in visit_the_catalog(page):
        assert here(page) == expected
        found += violations(page, axe_source, scheme)

    assert found == [], "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_members_pages(open_tab, served_site, axe_source, scheme):
    page = open_tab(color_scheme=scheme)
    username = f"axe{scheme}"
    sign_up_and_confirm(page, served_site[1], username)
    log_in(page, username)
    found = []
    for path in ("/movies/23-the-godfather", "/watchlist", "/diary", "/account"):
        page.goto(path)
        assert here(page) == path
        found += violations(page, axe_source, scheme)
    page.goto(f"/users/{username}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)
    found += violations(page, axe_source, scheme)
    # A form sent back with its errors shown.
    page.goto("/account")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    found += violations(page, axe_source, scheme)

    assert found == [], "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_editors_pages(open_tab, axe_source, scheme):
    page = open_tab(color_scheme=scheme)
    log_in(page, "curator")  # an admin: editing and the members' list
    page.goto("/search/?q=Taxi Driver")
    page.get_by_role("link", name=re.compile("Taxi Driver")).first.click()
    movie_id = re.search(r"/movies/(\d+)", page.url).group(1)
    found = []
    for path in (
        f"/movies/{movie_id}/edit",
        f"/movies/{movie_id}/credits/edit",
        f"/movies/{movie_id}/history",
        f"/movies/{movie_id}/merge",
        f"/movies/{movie_id}/refresh",
        "/changes",
        "/admin/users",
        "/admin/jobs",
    ):
        page.goto(path)
        assert here(page) == path
        found += violations(page, axe_source, scheme)
    # The edit form sent back with its errors shown, nothing saved.
    page.goto(f"/movies/{movie_id}/edit")
    page.get_by_label("Runtime (minutes)").fill("-3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    found += violations(page, axe_source, scheme)

    assert found == [], "\n".join(found)


def test_the_keyboard_skips_the_navbar_to_the_content(page):
    page.goto("/movies/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused_in_main = page.evaluate(
        "document.querySelector('main').contains(document.activeElement)"
    )
    assert focused_in_main, "the next Tab after skipping should land inside <main>"


def test_axe_reports_what_it_should(open_tab, axe_source):
    """The check itself: a page given an unlabelled field and low contrast fails it."""
    page = open_tab(color_scheme="light")
    page.goto("/login")
    page.evaluate(
        """() => {
            document.querySelector('label[for=identifier]').remove();
            document.querySelector('h1').style.color = '#bbbbbb';
        }"""
    )
    found = violations(page, axe_source, "light")

    assert any(re.search(r"\[critical\] label: .* #identifier", line) for line in found), found
    assert any("[serious] color-contrast" in line for line in found), found


def test_brazilian_portuguese_pages(open_tab, served_site, axe_source):
    """The same checks on pages in pt-BR: longer words, other labels, lang on fallbacks."""
    page = open_tab(color_scheme="light", locale="pt-BR")
    found = []
    for path in (
        "/",
        "/movies/?sort=title",
        "/movies/23-the-godfather",
        "/people/106-al-pacino",
        "/genres/",
        "/search/?q=poderoso",
        "/signup",
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == "pt-BR"
        found += violations(page, axe_source, "light")
    sign_up_and_confirm_in_portuguese(page, served_site[1])
    for path in ("/watchlist", "/diary", "/account", "/imports"):
        page.goto(path)
        assert here(page) == path
        found += violations(page, axe_source, "light")

    assert found == [], "\n".join(found)


def sign_up_and_confirm_in_portuguese(page: Page, outbox: Path) -> None:
    """A member made through the pt-BR forms, then signed in (the preference follows)."""
    pt = portuguese()
    page.goto("/signup")
    page.get_by_label(pt("Email"), exact=True).fill("axe-pt@example.com")
    page.get_by_label(pt("Username")).fill("axept")
    page.get_by_label(pt("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(pt("Password again")).fill(PASSWORD)
    page.get_by_role("button", name=pt("Sign up")).click()
    page.goto(mailed_link(outbox, "axe-pt@example.com"))
    page.get_by_label(pt("Email or username")).fill("axept")
    page.get_by_label(pt("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=pt("Log in")).click()
    expect(page.get_by_role("button", name=pt("Log out"), include_hidden=True)).to_have_count(1)


# Swagger UI draws each operation's summary as a button holding its path's
# copy button: a structure of its own markup that CSS cannot change. Every
# other finding on the page, its colours included, must be clean.
SWAGGER_OWN = ("nested-interactive", ".opblock-summary-control")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_docs_page_passes_axe(open_tab, axe_source, scheme):
    page = open_tab(color_scheme=scheme)
    page.goto("/api/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()

    found = [
        finding
        for finding in violations(page, axe_source, scheme)
        if not (SWAGGER_OWN[0] in finding and SWAGGER_OWN[1] in finding)
    ]

    assert found == [], "\n".join(found)

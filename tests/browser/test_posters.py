"""Designed placeholders in Chromium: they decode, their text stays in the frame, pages look right.

Screenshots of the home, a movie and a person page, at a phone's and a desktop's width
in both colour schemes, are written to build/browser-screenshots/ to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from app.infra.placeholders import HEIGHT, WIDTH, movie_poster, person_portrait
from tests.support import ROOT

SCREENSHOTS = ROOT / "build" / "browser-screenshots"
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
PAGES = {"home": "/", "movie": "/movies/23-the-godfather", "person": "/people/106-al-pacino"}
LEAST_IMAGES = {"home": 40, "movie": 10, "person": 4}
PLACEHOLDER = re.compile(r"/posters/(movie|person)/\d+\.svg\?v=[0-9a-f]{12}$")
# Each <text> of the SVG document open in the tab: its content and box in viewBox units.
TEXT_BOXES = """() => [...document.querySelectorAll('text')].map(text => {
    const box = text.getBBox();
    return {text: text.textContent, left: box.x, top: box.y,
            right: box.x + box.width, bottom: box.y + box.height};
})"""


def load_every_image(page: Page) -> list[dict]:
    """Have lazy images load now; once each has loaded or failed, what each shows."""
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    # A function, not an expression: the site's CSP forbids eval, which expressions need.
    page.wait_for_function("() => [...document.images].every(image => image.complete)")
    return page.evaluate(
        """[...document.querySelectorAll('img.poster')].map(image => ({
            src: image.currentSrc, width: image.naturalWidth, height: image.naturalHeight}))"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("name", PAGES)
def test_pages_of_placeholders_render_every_one(open_tab, name, screen, scheme):
    page = open_tab(viewport=SCREENS[screen], color_scheme=scheme)
    page.goto(PAGES[name])

    images = load_every_image(page)

    assert len(images) >= LEAST_IMAGES[name]
    # The sample catalog has no TMDB paths: every image is a designed placeholder.
    assert [image["src"] for image in images if not PLACEHOLDER.search(image["src"])] == []
    undecoded = [image["src"] for image in images if image["width"] == 0]
    assert undecoded == [], "these SVGs did not decode"
    assert {(image["width"], image["height"]) for image in images} == {(WIDTH, HEIGHT)}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{screen}-{scheme}.png", full_page=True)


def outside_the_frame(page: Page, svg: str, where: str, margin: float = 4.0) -> list[str]:
    """Text of the SVG that comes closer than `margin` to an edge of its frame, or past it.

    The SVG is drawn inline in a page of its own: measured the same, and a
    failed test's full-page screenshot (which an SVG document cannot take) shows it.
    """
    page.set_content(f"<!doctype html><html lang='en'><title>{where}</title><body>{svg}</body>")
    return [
        f"{where}: {box['text']!r} at {box['left']:.1f}–{box['right']:.1f}, "
        f"{box['top']:.1f}–{box['bottom']:.1f}"
        for box in page.evaluate(TEXT_BOXES)
        if box["left"] < margin
        or box["right"] > WIDTH - margin
        or box["top"] < margin
        or box["bottom"] > HEIGHT - margin
    ]


def test_no_placeholder_text_is_clipped_for_any_sample_film_or_person(page):
    addresses: set[str] = set()
    for listing in ("/movies/?per_page=96", "/movies/?per_page=96&page=2", "/people/"):
        page.goto(listing)
        addresses |= set(
            page.eval_on_selector_all("img.poster", "images => images.map(i => i.src)")
        )
    assert len(addresses) >= 110 + 24, "every sample film, and a page of people"

    clipped = []
    for address in sorted(addresses):
        response = page.request.get(address)
        assert response.headers["content-type"].startswith("image/svg+xml"), address
        clipped += outside_the_frame(page, response.text(), address)

    assert clipped == [], "\n".join(clipped)


def has_font_for(language: str) -> bool:
    """Whether fontconfig, where Chromium on Linux looks, has a font for the language."""
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(
        ["fc-list", f":lang={language}", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


# (language whose font the case needs, Debian's package with one, the placeholder)
HARD_CASES = [
    ("ja", "fonts-ipafont-gothic", movie_poster(title="七人の侍", year=1954, directors=["黒澤明"])),
    ("ja", "fonts-ipafont-gothic", movie_poster(title="千と千尋の神隠し", year=2001)),
    ("ko", "fonts-nanum", movie_poster(title="헤어질 결심", year=2022, directors=["박찬욱"])),
    (
        "ar",
        "fonts-dejavu-core",
        movie_poster(title="طعم الكرز", year=1997, directors=["عباس کیارستمی"]),
    ),
    ("he", "fonts-dejavu-core", movie_poster(title="ואלס עם באשיר", year=2008, genres=["war"])),
    (
        "hi",
        "fonts-lohit-deva",
        movie_poster(title="पाथेर पांचाली", year=1955, directors=["सत्यजित राय"]),
    ),
    ("ru", "fonts-dejavu-core", movie_poster(title="Броненосец «Потёмкин»", year=1925)),
    ("en", "fonts-dejavu-core", movie_poster(title="W" * 40, year=2000, directors=["M" * 30])),
    (
        "en",
        "fonts-dejavu-core",
        movie_poster(
            title=(
                "The Extraordinarily Long and Winding Tale of a Projectionist Who Kept the Last "
                "Cinema in Town Open Through Every Winter!"
            ),
            year=2024,
            directors=["Apichatpong Weerasethakul", "Bartholomew Montgomery-Smythe"],
        ),
    ),
    ("en", "fonts-dejavu-core", movie_poster(title="Tom & Jerry <\"Quoted\"> & 'Co'", year=1999)),
    (
        "en",
        "fonts-dejavu-core",
        person_portrait(name="Apichatpong Weerasethakul", department="Art"),
    ),
    ("ja", "fonts-ipafont-gothic", person_portrait(name="坂本龍一", department="Sound")),
]


@pytest.mark.parametrize(
    ("language", "package", "drawn"), HARD_CASES, ids=[case[2].digest for case in HARD_CASES]
)
def test_no_text_is_clipped_in_other_scripts_or_at_the_extremes(page, language, package, drawn):
    if not has_font_for(language):
        # Without one, Chromium draws a box per code point, accents included: not the layout.
        pytest.skip(f"no font for {language!r} on this system: apt-get install {package}")

    assert outside_the_frame(page, drawn.svg, drawn.digest) == []


def test_a_poster_that_fails_to_load_falls_back_to_the_designed_placeholder(page):
    page.goto("/movies/")
    poster = page.locator("img.poster").first
    fallback = poster.get_attribute("data-fallback")
    assert PLACEHOLDER.search(fallback)

    # TMDB is unreachable from the tests' browser, as offline: the image fails.
    poster.evaluate("image => { image.src = 'https://image.tmdb.org/t/p/w342/gone.jpg'; }")

    expect(poster).to_have_attribute("src", fallback)
    page.wait_for_function("image => image.complete", arg=poster.element_handle())
    assert poster.evaluate("image => image.naturalWidth") == WIDTH

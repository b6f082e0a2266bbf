"""A Letterboxd export imported in Chromium: upload, progress, review queue, Download my data."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from playwright.sync_api import expect

from tests.browser import test_accessibility as accessibility
from tests.browser.members import log_in, sign_up_and_confirm
from tests.exports import EXPORT_NAME, letterboxd_zip

axe_source = accessibility.axe_source  # the fixture, shared: axe-core as `npm ci` installed it

RATINGS = [
    {"Date": "2023-01-02", "Name": "Godfather, The", "Year": "1972", "Rating": "4.5"},
    {"Date": "2023-01-03", "Name": "Amelie", "Year": "2001", "Rating": "3.5"},
    {"Date": "2023-01-04", "Name": "Taxi Driver", "Year": "1976", "Rating": "4"},
    # The sample's Heat is from 1995, and its one Solaris from 1972: both wait for review.
    {"Date": "2023-01-05", "Name": "Heat", "Year": "1986", "Rating": "2.5"},
    {"Date": "2023-01-06", "Name": "Solaris", "Year": "", "Rating": "5"},
]
# What the member ends up with: each film's title, year and stars, and its 1–10 rating.
IMPORTED = {
    ("The Godfather", "1972", "4.5"): 9,
    ("Amélie", "2001", "3.5"): 7,
    ("Taxi Driver", "1976", "4"): 8,
    ("Heat", "1995", "2.5"): 5,
    ("Solaris", "1972", "5"): 10,
}


def test_a_member_imports_letterboxd_ratings_reviews_two_and_downloads_them_again(
    open_tab, served_site, axe_source, tmp_path
):
    page = open_tab(color_scheme="light")
    sign_up_and_confirm(page, served_site[1], "importer")
    log_in(page, "importer")
    export = tmp_path / f"{EXPORT_NAME}.zip"
    export.write_bytes(letterboxd_zip({"ratings.csv": RATINGS}))
    found = []

    page.get_by_role("link", name="importer", exact=True).click()
    page.get_by_role("link", name="Import from Letterboxd or IMDb").click()
    expect(page.get_by_role("heading", name="Import your films")).to_be_visible()
    page.get_by_label("Your export").set_input_files(export)
    page.get_by_role("button", name="Import").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {EXPORT_NAME}.zip")
    # The page reloads itself when the import ends, then when its look-up on TMDB does
    # (two seconds a reply here): only then can the queue be reviewed.
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=30_000)
    lookup = page.get_by_role("region", name="Films looked for on TMDB")
    expect(lookup).to_contain_text("Looked for 2 films on TMDB: 0 found", timeout=60_000)
    expect(page.locator("[data-count=read]")).to_have_text("5")
    expect(page.locator("[data-count=matched]")).to_have_text("3")
    expect(page.locator("[data-count=queued]")).to_have_text("2")
    expect(page.locator("[data-count=failed]")).to_have_text("0")
    found += accessibility.violations(page, axe_source, "light")

    page.get_by_role("link", name="Review 2 rows").click()
    expect(page.get_by_role("heading", name="Which films are these?")).to_be_visible()
    heat = page.locator(".import-item").filter(has=page.get_by_role("heading", name="Heat"))
    expect(heat).to_contain_text("Rating 5/10")
    found += accessibility.violations(page, axe_source, "light")
    # Chromium names it "This one : Heat (1995)": the hidden span is a block, set off by spaces.
    heat.get_by_role("button", name=re.compile(r"^This one ?: Heat \(1995\)$")).click()
    expect(page.get_by_text("Saved 1 row as “Heat” (1995).")).to_be_visible()
    solaris = page.get_by_role("list", name="Candidates for Solaris")
    solaris.get_by_role("button", name=re.compile(r"^This one ?: Solaris \(1972\)$")).click()
    expect(page.get_by_text("Saved 1 row as “Solaris” (1972).")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()

    page.get_by_role("link", name="See your profile").click()
    expect(page).to_have_url(re.compile(r"/users/importer$"))
    expect(page.get_by_text("5 ratings, averaging 7.8/10")).to_be_visible()
    for (title, _, _), rating in IMPORTED.items():
        review = page.locator("article.review").filter(
            has=page.get_by_role("link", name=title, exact=True)
        )
        expect(review.get_by_role("img", name=f"Rated {rating} out of 10")).to_be_visible()

    page.goto("/imports")
    expect(page.get_by_role("link", name=f"{EXPORT_NAME}.zip")).to_be_visible()
    found += accessibility.violations(page, axe_source, "light")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download my data").click()
    download = downloading.value
    assert re.fullmatch(r"marquee-importer-[\d-]+-utc\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        ratings = archive.read("ratings.csv").decode()
    exported = {
        (row["Name"], row["Year"], row["Rating"]) for row in csv.DictReader(io.StringIO(ratings))
    }
    assert exported == set(IMPORTED)

    assert found == [], "\n".join(found)

"""Background jobs in Chromium: a refresh's progress follows by itself until its result shows."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.members import log_in


def test_an_editors_refresh_shows_its_progress_then_its_result_without_a_reload(page):
    log_in(page, "editor")
    page.goto("/search/?q=Run+Lola+Run")
    page.get_by_role("link", name=re.compile("Run Lola Run")).first.click()

    page.get_by_role("link", name="Refresh from TMDB").click()
    page.get_by_role("button", name="Refresh from TMDB").click()

    # The stand-in TMDB answers in two seconds: the page opens on a job not yet done.
    expect(page).to_have_url(re.compile(r"/progress/\d+$"))
    box = page.locator("[data-job-poll]")
    expect(box).to_have_attribute("data-job-active", "true")
    expect(page.get_by_text("Refetched Run Lola Run from TMDB.")).to_be_visible(timeout=20_000)
    expect(page.locator("[data-job-poll]")).to_have_attribute("data-job-status", "finished")
    expect(page.locator("progress")).to_have_attribute("value", "100")


def test_an_admin_sees_the_job_on_the_jobs_page_with_who_started_it(page):
    log_in(page, "curator")
    page.goto("/admin/jobs")
    expect(page.get_by_role("heading", name="Background jobs")).to_be_visible()
    expect(page.get_by_text("In this server process")).to_be_visible()
    page.get_by_role("button", name="Refresh oldest records now").click()
    expect(
        page.get_by_text(re.compile(r"Refresh the catalog's oldest records: job \d+"))
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Refresh the catalog's oldest records").first
    expect(row).to_contain_text("curator")
    expect(row).to_contain_text(re.compile("Finished|Running|Queued"))
    expect(row).to_contain_text("Finished", timeout=20_000)

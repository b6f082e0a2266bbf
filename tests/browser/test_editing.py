"""An editor corrects a movie in Chromium; a member sees no edit links and may not post."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.members import log_in, sign_up_and_confirm


def open_movie(page, title: str) -> None:
    """Find a movie through the search results page and open it."""
    page.goto(f"/search/?q={title}")
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def test_an_editor_fixes_a_movie_adds_cast_and_reverts_the_title(page):
    log_in(page, "editor")
    open_movie(page, "Run Lola Run")
    movie_url = page.url

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Lola rennt")
    page.get_by_label("Summary of your change").fill("German title")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lola rennt (1998)")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Release date").fill("1999-06-17")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lola rennt (1999)")

    page.get_by_role("link", name="Edit cast and crew").click()
    cast_form = page.locator("#add-cast")
    person = cast_form.get_by_role("combobox", name="Person")
    person.fill("al pac")
    suggestions = cast_form.get_by_role("listbox", name="People")
    expect(suggestions.get_by_role("option").first).to_contain_text("Al Pacino")
    person.press("ArrowDown")
    person.press("Enter")
    expect(person).to_have_value("Al Pacino")
    cast_form.get_by_label("Character").fill("The Stranger")
    cast_form.get_by_role("button", name="Add to the cast").click()
    expect(page.get_by_text("Added Al Pacino to the cast.")).to_be_visible()
    expect(page.get_by_label("Character of Al Pacino")).to_have_value("The Stranger")

    page.goto(movie_url)
    expect(page.locator(".card-grid").get_by_text("The Stranger")).to_be_visible()
    page.get_by_role("link", name="History").click()
    history = page.locator("ol.history")
    expect(history.locator("li.edit")).to_have_count(3)
    expect(history).to_contain_text("Al Pacino as The Stranger")
    expect(history).to_contain_text("Run Lola Run → Lola rennt")

    page.locator("li.edit").filter(has_text="German title").get_by_role("link").last.click()
    expect(page.get_by_role("cell", name="Run Lola Run")).to_be_visible()
    page.get_by_role("button", name="Revert this change").click()
    expect(page.get_by_text("Reverted. The revert is in the history too.")).to_be_visible()
    page.goto(movie_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Run Lola Run (1999)")


def test_a_member_sees_no_edit_links_and_may_not_post_an_edit(page, served_site):
    sign_up_and_confirm(page, served_site[1], "notaneditor")
    log_in(page, "notaneditor")
    open_movie(page, "Back to the Future")
    movie_id = re.search(r"/movies/(\d+)", page.url).group(1)

    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="History")).to_be_visible()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"/movies/{movie_id}/edit",
        form={"csrf_token": token, "title": "Vandalised", "version": "1"},
    )

    assert response.status == 403
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Back to the Future")

"""What members do, in Chromium against the served app: sign up to log out, 2FA, a picture."""

from __future__ import annotations

import io
import re
import time

from PIL import Image
from playwright.sync_api import expect

from app.services.avatars import NOT_AN_IMAGE
from tests.browser.members import (
    PASSWORD,
    fill_in_login,
    log_in,
    log_out,
    portuguese,
    send_login,
    sign_up_and_confirm,
)
from tests.support import mailed_link, mailed_mail, totp_code


def test_a_visitor_signs_up_finds_a_movie_reviews_it_and_keeps_a_watchlist(page, served_site):
    _, outbox = served_site
    sign_up_and_confirm(page, outbox, "cinephile")
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    fill_in_login(page, "cinephile@example.com")
    expect(page.get_by_role("link", name="cinephile")).to_be_visible()

    search = page.get_by_role("combobox", name="Search")
    # One input event, so one fetch: typed key by key, a slow keystroke on a busy machine
    # could fetch a shorter word whose list is on screen when ArrowDown arrives.
    search.fill("godfa")
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option").first).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    expect(suggestions.get_by_role("option", selected=True)).to_contain_text("The Godfather")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/movies/23-the-godfather$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The Godfather (1972)")

    written = (
        "Patient and grand.\n\nThe wedding scene alone sets up every loyalty that breaks later."
    )
    page.get_by_label("Your review (optional)").fill(written)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save").click()  # no rating yet
    rating = page.get_by_label("Your rating (1–10)")
    expect(rating).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Give a rating from 1 to 10.")).to_be_visible()
    expect(page.get_by_label("Your review (optional)")).to_have_value(written)  # kept
    rating.fill("9")
    page.get_by_role("button", name="Save").click()
    review = page.locator("article.review").filter(has_text="The wedding scene alone")
    expect(review).to_contain_text("cinephile")
    expect(review.get_by_role("img", name="Rated 9 out of 10")).to_be_visible()
    expect(review.locator(".review-body p")).to_have_count(2)
    expect(review.get_by_text("Recommends")).to_be_visible()

    actions = page.get_by_role("region", name="Your watchlist and diary")
    toggle = actions.get_by_role("button", name="Watchlist: The Godfather")
    count = page.get_by_role("link", name=re.compile(r"^Watchlist")).locator(
        "[data-watchlist-count]"
    )
    expect(count).to_have_text("0")
    page.evaluate("window.stillThisPage = true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text("1")
    assert page.evaluate("window.stillThisPage === true")  # updated in place, not reloaded
    page.get_by_role("link", name=re.compile(r"^Watchlist")).click()
    expect(page.get_by_role("link", name=re.compile("The Godfather 1972"))).to_be_visible()

    log_out(page)
    page.goto("/watchlist")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_member_turns_on_two_factor_and_logs_in_with_a_code(page, served_site):
    _, outbox = served_site
    sign_up_and_confirm(page, outbox, "guarded")
    log_in(page, "guarded")
    page.get_by_role("link", name="guarded").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator(".user-select-all").inner_text().replace(" ", "")
    page.get_by_label(re.compile("code", re.I)).fill(totp_code(secret, time.time()))
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    backup_code = page.locator("ul.backup-codes li").first.inner_text().strip()

    log_out(page)
    send_login(page, "guarded")
    expect(page).to_have_url(re.compile(r"/login/code"))
    code = page.get_by_role("textbox", name="Code")
    expect(code).to_be_focused()
    code.fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right, or was already used.")).to_be_visible()
    code.fill(totp_code(secret, time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    log_out(page)
    send_login(page, "guarded")
    code.fill(backup_code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def picture(size: tuple[int, int], color: str) -> bytes:
    """A PNG of one colour, as a phone might upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_member_uploads_a_picture_and_a_bad_file_keeps_it(page, served_site):
    _, outbox = served_site
    sign_up_and_confirm(page, outbox, "portrait")
    log_in(page, "portrait")
    page.get_by_role("link", name="portrait").click()
    section = page.get_by_role("region", name="Picture")
    own_picture = section.get_by_role("img", name="Your picture")
    expect(own_picture).to_have_attribute("src", re.compile(r"\.svg"))

    upload = {"name": "me.png", "mimeType": "image/png", "buffer": picture((640, 480), "teal")}
    section.get_by_label("Picture").set_input_files(upload)
    section.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Your new picture is up.")).to_be_visible()
    expect(own_picture).to_have_attribute("src", re.compile(r"\.webp"))
    uploaded = own_picture.get_attribute("src")
    own_picture.evaluate(
        "image => image.complete || new Promise(loaded => image.addEventListener('load', loaded))"
    )
    assert own_picture.evaluate("image => image.naturalWidth") == 256
    navbar_picture = page.get_by_role("link", name="portrait").locator("img")
    expect(navbar_picture).to_have_attribute("src", re.compile(r"\.webp"))

    not_an_image = {"name": "notes.png", "mimeType": "image/png", "buffer": b"just some text"}
    section.get_by_label("Picture").set_input_files(not_an_image)
    section.get_by_role("button", name="Upload").click()
    expect(section.get_by_text(str(NOT_AN_IMAGE))).to_be_visible()
    expect(section.get_by_label("Picture")).to_have_attribute("aria-invalid", "true")
    page.goto("/account")
    expect(own_picture).to_have_attribute("src", uploaded)


def test_the_main_journey_in_brazilian_portuguese(open_tab, served_site):
    """Sign up, confirm, review and keep a watchlist with a browser that asks for pt-BR."""
    _, outbox = served_site
    pt = portuguese()
    page = open_tab(locale="pt-BR")
    page.goto("/signup")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    page.get_by_label(pt("Email"), exact=True).fill("brasileira@example.com")
    page.get_by_label(pt("Username")).fill("brasileira")
    page.get_by_label(pt("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(pt("Password again")).fill(PASSWORD)
    page.get_by_role("button", name=pt("Sign up")).click()
    expect(page.get_by_role("heading", name=pt("Check your email"))).to_be_visible()
    mail = mailed_mail(outbox, "brasileira@example.com")
    assert mail["Subject"] == pt("Confirm your email for Marquee")
    page.goto(mailed_link(outbox, "brasileira@example.com"))
    confirmed = pt("Thank you: %(email)s is confirmed. Log in to start.")
    expect(page.get_by_text(confirmed % {"email": "brasileira@example.com"})).to_be_visible()
    page.get_by_label(pt("Email or username")).fill("brasileira")
    page.get_by_label(pt("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=pt("Log in")).click()
    expect(page.get_by_role("link", name="brasileira")).to_be_visible()

    search = page.get_by_role("combobox", name=pt("Search movies and people"))
    search.fill("poderoso chefao")  # the Brazilian title, without its accent
    suggestions = page.get_by_role("listbox", name=pt("Suggestions"))
    expect(suggestions.get_by_role("option").first).to_contain_text("O Poderoso Chefão")
    expect(suggestions.get_by_role("option").first).to_contain_text("The Godfather")
    search.press("ArrowDown")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/movies/23-the-godfather$"))  # the one canonical URL
    expect(page.get_by_role("heading", level=1)).to_have_text("O Poderoso Chefão (1972)")
    expect(page.get_by_text("14 de março de 1972")).to_be_visible()

    page.get_by_role("button", name=pt("Save")).click()  # no rating yet
    expect(page.get_by_text(pt("Give a rating from 1 to 10."))).to_be_visible()
    page.get_by_label(pt("Your rating (1–10)")).fill("10")
    page.get_by_label(pt("Your review (optional)")).fill("Uma obra-prima do começo ao fim.")
    page.get_by_role("radio", name=pt("Yes")).check()
    page.get_by_role("button", name=pt("Save")).click()
    review = page.locator("article.review").filter(has_text="Uma obra-prima")
    expect(review.get_by_text(pt("Recommends"))).to_be_visible()

    actions = page.get_by_role("region", name=pt("Your watchlist and diary"))
    toggle = actions.get_by_role(
        "button", name=pt("Watchlist: %(title)s") % {"title": "O Poderoso Chefão"}
    )
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name=re.compile("^" + re.escape(pt("Watchlist")))).click()
    expect(page.get_by_role("link", name=re.compile("O Poderoso Chefão"))).to_be_visible()

    page.get_by_role("button", name=pt("Log out")).click()
    expect(page.get_by_role("link", name=pt("Log in"))).to_be_visible()

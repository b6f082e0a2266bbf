"""The site on a phone-sized screen, and with JavaScript turned off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.members import log_in, sign_up_and_confirm

PHONE = {"width": 390, "height": 844}
SCREENS = {
    "phone": PHONE,
    "small-laptop": {"width": 992, "height": 700},
    "laptop": {"width": 1280, "height": 800},
    "desktop": {"width": 1440, "height": 900},
}
PAGES = ["/", "/movies/", "/movies/23-the-godfather", "/people/106-al-pacino", "/watchlist"]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_pages_fit_the_screen_without_sideways_scrolling(open_tab, served_site, screen, signed_in):
    page = open_tab(viewport=SCREENS[screen])
    if signed_in:
        # The longest username there can be, for the navbar.
        username = f"fit_{screen}".replace("-", "_").ljust(30, "x")
        sign_up_and_confirm(page, served_site[1], username)
        log_in(page, username)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        if screen != "phone":  # the navbar stays one row
            assert page.locator(".site-header").bounding_box()["height"] < 70, path


def test_on_a_phone_the_menu_opens_to_log_in(open_tab, served_site):
    page = open_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    log_in_link = page.get_by_role("link", name="Log in")
    expect(log_in_link).to_be_hidden()
    menu = page.get_by_role("button", name="Show the menu")
    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    log_in_link.tap()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_without_javascript_search_and_the_watchlist_still_work(open_tab, served_site):
    page = open_tab(java_script_enabled=False)
    sign_up_and_confirm(page, served_site[1], "nojs")
    log_in(page, "nojs")

    search = page.get_by_role("combobox", name="Search")
    search.fill("alien")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=alien"))
    page.get_by_role("link", name=re.compile(r"\bAlien 1979$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alien (1979)")

    actions = page.get_by_role("region", name="Your watchlist and diary")
    actions.get_by_role("button", name="Watchlist: Alien").click()  # a plain form post
    expect(page.get_by_text("“Alien” is on your watchlist.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/movies/33-alien$"))
    toggle = page.get_by_role("region", name="Your watchlist and diary").get_by_role("button")
    expect(toggle.first).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-watchlist-count]")).to_have_text("1")

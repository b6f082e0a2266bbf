"""A member's steps in the browser, shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import mailed_link

PASSWORD = "a long browser passphrase"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
# Words Portuguese writes as English does.
SAME_IN_PORTUGUESE = {"Email"}


def sign_up_and_confirm(page: Page, outbox: Path, username: str) -> None:
    """Sign up through the form and open the confirmation link from the outbox."""
    address = f"{username}@example.com"
    page.goto("/signup")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(mailed_link(outbox, address))
    expect(page.get_by_text(f"{address} is confirmed")).to_be_visible()


def log_in(page: Page, identifier: str) -> None:
    """Log in from the login page and see the member's navbar (hidden in a phone's menu)."""
    send_login(page, identifier)
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_have_count(1)


def send_login(page: Page, identifier: str) -> None:
    """Open the login page and send the password (two-factor accounts then ask for a code)."""
    page.goto("/login")
    fill_in_login(page, identifier)


def fill_in_login(page: Page, identifier: str) -> None:
    """Fill in and send the login form on the page."""
    page.get_by_label("Email or username").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    """Press the navbar's Log out button and see the visitor's navbar."""
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def portuguese():
    """The pt-BR catalog the app serves: pt(msgid) is what a Brazilian reader sees."""
    from babel.support import Translations

    catalog = Translations.load(str(TRANSLATIONS), ["pt_BR"])

    def pt(message: str) -> str:
        translated = catalog.gettext(message)
        assert translated != message or message in SAME_IN_PORTUGUESE, f"untranslated: {message}"
        return translated

    return pt

"""The API's human side in Chromium: a member's token made and revoked, and the docs page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.members import log_in, sign_up_and_confirm


def test_a_member_makes_a_token_uses_it_and_revokes_it(open_tab, served_site):
    page = open_tab()
    sign_up_and_confirm(page, served_site[1], "scripter")
    log_in(page, "scripter")
    page.goto("/account")

    page.get_by_label("Token name").fill("Home dashboard")
    page.get_by_label("Read, and change my ratings, reviews, watchlist and diary").check()
    page.get_by_label("Expires").select_option("30")
    page.get_by_role("button", name="Make a token").click()

    expect(page.get_by_role("heading", name="Your new token: Home dashboard")).to_be_visible()
    secret = page.get_by_role("textbox", name="Token").input_value()
    assert secret.startswith("mq_")
    headers = {"Authorization": f"Bearer {secret}"}
    me = page.request.get("/api/v1/me", headers=headers)
    assert me.status == 200
    assert me.json()["username"] == "scripter"
    # The browser's own session cookie is not enough for the API.
    assert page.request.get("/api/v1/me").status == 401

    page.get_by_role("link", name="I have saved it").click()
    tokens = page.locator("section", has=page.get_by_role("heading", name="API tokens"))
    expect(tokens).to_contain_text("Home dashboard")
    expect(tokens).to_contain_text(secret[:9] + "…")
    expect(tokens).not_to_contain_text(secret)
    tokens.get_by_role("button", name="Revoke the token Home dashboard").click()
    expect(page.get_by_text("The token “Home dashboard” no longer works.")).to_be_visible()
    assert page.request.get("/api/v1/me", headers=headers).status == 401


def test_the_docs_page_renders_the_document_under_the_csp(open_tab):
    page = open_tab()

    page.goto("/api/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Marquee API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/movies/{movie_id}" in [path.replace("\u200b", "") for path in paths]
    page.locator(".opblock-summary", has_text="/api/v1/movies/{movie_id}").first.click()
    expect(page.get_by_text("One movie with its genres").first).to_be_visible()

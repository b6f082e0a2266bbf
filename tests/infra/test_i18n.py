"""Which language a request gets, the footer's switcher, and pages cached per language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.infra import i18n
from app.models import User
from tests.factories import make_genre, make_movie
from tests.routes.test_query_counts import counting
from tests.support import csrf_token

PORTUGUESE_NAV = ">Filmes</a>"
ENGLISH_NAV = ">Movies</a>"


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


@pytest.fixture
def heat(db):
    movie = make_movie("Heat", genres=[make_genre("Drama")], popularity=9.0)
    db.session.commit()
    return movie


def test_without_any_hint_the_default_locale_is_used(client, db):
    response = client.get("/")
    assert html_lang(response) == "en"
    assert ENGLISH_NAV in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("pt", "pt-BR"),  # the language alone reaches its only variant
        ("pt-PT,pt;q=0.9", "pt-BR"),
        ("fr-FR,fr;q=0.9", "en"),  # nothing the site speaks: the default
        ("fr, en-GB;q=0.8, pt-BR;q=0.5", "en"),  # English ranks above Portuguese
        ("de;q=0.9, pt-BR", "pt-BR"),
    ],
)
def test_accept_language_picks_the_best_locale_the_site_speaks(
    client, db, accept_language, expected
):
    response = client.get("/", headers={"Accept-Language": accept_language})
    assert html_lang(response) == expected


def test_the_pt_br_page_is_in_portuguese(client, db):
    page = client.get("/", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert PORTUGUESE_NAV in page
    assert ENGLISH_NAV not in page


def test_the_cookie_wins_over_accept_language(client, db):
    client.set_cookie(i18n.LOCALE_COOKIE, "en")
    response = client.get("/", headers={"Accept-Language": "pt-BR"})
    assert html_lang(response) == "en"


def test_a_cookie_for_a_language_the_site_lacks_is_ignored(client, db):
    client.set_cookie(i18n.LOCALE_COOKIE, "xx-YY")
    response = client.get("/", headers={"Accept-Language": "pt-BR"})
    assert html_lang(response) == "pt-BR"


def test_a_members_saved_preference_wins_over_the_cookie(client, ana, db):
    ana.locale = "pt-BR"
    db.session.commit()
    client.set_cookie(i18n.LOCALE_COOKIE, "en")
    response = client.get("/", headers={"Accept-Language": "en"})
    assert html_lang(response) == "pt-BR"


def test_a_member_without_a_preference_follows_the_cookie_then_the_browser(client, ana, db):
    assert html_lang(client.get("/", headers={"Accept-Language": "pt-BR"})) == "pt-BR"
    client.set_cookie(i18n.LOCALE_COOKIE, "en")
    assert html_lang(client.get("/", headers={"Accept-Language": "pt-BR"})) == "en"


def test_the_switcher_link_sets_the_cookie_and_returns_to_the_page(client, heat):
    response = client.get("/language?locale=pt-BR&next=/movies/%3Fsort%3Drating")

    assert response.status_code == 302
    assert response.headers["Location"] == "/movies/?sort=rating"
    cookie = client.get_cookie(i18n.LOCALE_COOKIE)
    assert cookie.value == "pt-BR"
    assert cookie.http_only
    assert html_lang(client.get("/movies/")) == "pt-BR"


def test_the_switcher_is_in_every_pages_footer_as_links_without_javascript(client, heat):
    page = client.get(f"/movies/{heat.id}-heat").get_data(as_text=True)
    assert f'href="/language?locale=pt-BR&amp;next=/movies/{heat.id}-heat"' in page
    assert 'lang="pt-BR" hreflang="pt-BR"' in page
    assert ">Português (Brasil)</a>" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "movies"])
def test_the_switcher_never_sends_visitors_off_the_site(client, db, target):
    response = client.get("/language", query_string={"locale": "pt-BR", "next": target})
    assert response.headers["Location"] == "/"


def test_the_switcher_refuses_a_language_the_site_lacks(client, db):
    response = client.get("/language?locale=klingon", headers={"Accept-Language": "pt-BR"})
    assert response.status_code == 400
    assert client.get_cookie(i18n.LOCALE_COOKIE) is None
    assert "Marquee ainda não fala esse idioma." in response.get_data(as_text=True)


def test_a_member_switching_saves_the_preference(client, ana, db):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"csrf_token": token, "locale": "pt-BR", "next": "/diary"}
    )

    assert response.headers["Location"] == "/diary"
    assert db.session.get(User, ana.id).locale == "pt-BR"
    # The choice follows the member to a browser without the cookie.
    client.delete_cookie(i18n.LOCALE_COOKIE)
    assert html_lang(client.get("/")) == "pt-BR"


def test_a_member_may_go_back_to_following_the_browser(client, ana, db):
    ana.locale = "pt-BR"
    db.session.commit()
    token = csrf_token(client, "/")

    client.post("/language", data={"csrf_token": token, "locale": "browser"})

    assert db.session.get(User, ana.id).locale is None
    assert client.get_cookie(i18n.LOCALE_COOKIE) is None
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "en"


def test_a_members_switch_needs_the_forms_token(client, ana, db):
    response = client.post("/language", data={"locale": "pt-BR"})
    assert response.status_code == 400
    assert db.session.get(User, ana.id).locale is None


def test_pages_vary_by_language_and_their_etags_differ(client, heat):
    url = f"/movies/{heat.id}-heat"
    english = client.get(url, headers={"Accept-Language": "en"})
    portuguese = client.get(url, headers={"Accept-Language": "pt-BR"})

    assert {"Cookie", "Accept-Language"} <= set(english.vary)
    assert english.headers["ETag"] != portuguese.headers["ETag"]
    # A browser that switched language never revalidates the other one's copy.
    again = client.get(
        url, headers={"Accept-Language": "pt-BR", "If-None-Match": english.headers["ETag"]}
    )
    assert again.status_code == 200
    assert PORTUGUESE_NAV in again.get_data(as_text=True)


def test_the_page_cache_keeps_one_copy_per_language(app, client, heat, db, shared_cache):
    url = f"/movies/{heat.id}-heat"
    portuguese = client.get(url, headers={"Accept-Language": "pt-BR"})
    assert PORTUGUESE_NAV in portuguese.get_data(as_text=True)

    with counting(db.engine) as rendering:
        english = app.test_client().get(url, headers={"Accept-Language": "en-US"})
    with counting(db.engine) as from_cache:
        kept = app.test_client().get(url, headers={"Accept-Language": "pt-BR"})

    assert ENGLISH_NAV in english.get_data(as_text=True)
    assert PORTUGUESE_NAV not in english.get_data(as_text=True)
    assert len(rendering) > 1  # the English copy was rendered, not taken from the cache
    assert kept.data == portuguese.data
    assert len(from_cache) == 1  # the revision; the Portuguese copy was kept


def test_outside_a_request_messages_are_in_the_default_locale(app):
    from flask_babel import gettext

    with app.app_context():
        assert i18n.select_locale() == "en"
        assert gettext("Movies") == "Movies"


def test_the_account_page_offers_every_language_and_following_the_browser(client, ana, db):
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="browser" selected>' in page
    assert '<option value="pt-BR" lang="pt-BR">Português (Brasil)</option>' in page
    token = csrf_token(client, "/account")

    response = client.post(
        "/language", data={"csrf_token": token, "locale": "pt-BR", "next": "/account"}
    )

    assert response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="pt-BR" lang="pt-BR" selected>' in page
    assert html_lang(client.get("/account")) == "pt-BR"


def catalogs(tmp_path, *, compiled: bool) -> Path:
    """A translations folder holding a pt_BR catalog, compiled or not."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = tmp_path / "translations" / "pt_BR" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "Movies"\nmsgstr "Filmes"\n', encoding="utf-8")
    if compiled:
        with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("wb") as mo:
            write_mo(mo, read_po(po))
    return tmp_path / "translations"


def test_a_language_without_its_compiled_catalog_stops_the_app_with_the_fix(tmp_path):
    from app import create_app
    from app.infra.config import ConfigError
    from tests.support import make_config

    config = make_config(tmp_path, "sqlite://")
    folder = catalogs(tmp_path, compiled=False)
    with pytest.raises(ConfigError, match="make translations-compile"):
        create_app({**config, "BABEL_TRANSLATION_DIRECTORIES": str(folder)})
    with pytest.raises(ConfigError, match="LOCALES lists es-MX"):
        create_app({**config, "LOCALES": "en,es-MX"})


def test_a_compiled_catalog_in_another_folder_is_used(tmp_path):
    from app import create_app
    from tests.support import make_config

    folder = catalogs(tmp_path, compiled=True)
    app = create_app(
        {**make_config(tmp_path, "sqlite://"), "BABEL_TRANSLATION_DIRECTORIES": str(folder)}
    )
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        from flask_babel import gettext

        assert gettext("Movies") == "Filmes"


@pytest.mark.parametrize("target", ["/%0d%0aX-Evil:%201", "/movies/%09", "/%7f"])
def test_control_characters_in_next_are_refused_not_a_500(client, db, target):
    response = client.get(f"/language?locale=pt-BR&next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_language_the_browser_refuses_with_q_0_is_never_chosen(client, db):
    response = client.get("/", headers={"Accept-Language": "fr, pt-BR;q=0"})
    assert html_lang(response) == "en"


def test_the_main_catalog_language_must_be_the_one_tmdb_is_asked_for(tmp_path):
    from app import create_app
    from app.infra.config import ConfigError
    from tests.support import make_config

    config = make_config(tmp_path, "sqlite://")
    with pytest.raises(ConfigError, match="CATALOG_LANGUAGES starts with pt-BR"):
        create_app({**config, "CATALOG_LANGUAGES": "pt-BR,en"})
    app = create_app({**config, "CATALOG_LANGUAGES": "pt-BR,en", "TMDB_LANGUAGE": "pt-BR"})
    assert app.extensions["marquee.catalog_languages"] == ("pt-BR", "en")

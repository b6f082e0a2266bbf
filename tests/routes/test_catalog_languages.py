"""Catalog pages in the reader's language: titles, texts and genres, the original as fallback."""

from __future__ import annotations

import re

import pytest

from app.models import GeneratedText, TextSource
from app.services import search
from tests.factories import make_genre, make_movie, make_person

PORTUGUESE = {"Accept-Language": "pt-BR"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def godfather(db):
    crime = make_genre("Crime", translations={"pt-BR": {"name": "Crime"}})
    drama = make_genre("Drama")
    action = make_genre("Action", translations={"pt-BR": {"name": "Ação"}})
    movie = make_movie(
        "The Godfather",
        original_title="The Godfather",
        original_language="en",
        overview="The aging patriarch of an organized crime dynasty.",
        tagline="An offer you can't refuse.",
        genres=[crime, drama],
        translations={
            "pt-BR": {"title": "O Poderoso Chefão", "tagline": "Uma oferta irrecusável."}
        },
        popularity=50.0,
    )
    chihiro = make_movie(
        "Spirited Away",
        original_title="千と千尋の神隠し",
        original_language="ja",
        genres=[action],
        translations={"pt-BR": {"title": "A Viagem de Chihiro"}},
        popularity=40.0,
    )
    plain = make_movie("Zodiac", popularity=30.0)
    search.index_movies([movie.id, chihiro.id, plain.id])
    db.session.commit()
    return {"godfather": movie, "chihiro": chihiro, "zodiac": plain, "action": action}


def page(client, url, headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_movie_page_shows_the_readers_title_and_the_original_beside_it(client, godfather):
    movie = godfather["godfather"]
    url = f"/movies/{movie.id}-the-godfather"

    portuguese = page(client, url, PORTUGUESE)
    english = page(client, url, ENGLISH)

    assert '<h1 id="movie-title">O Poderoso Chefão' in portuguese
    assert "<title>O Poderoso Chefão (1999) · Marquee</title>" in portuguese
    assert '<span lang="en">The Godfather</span>' in portuguese
    assert "Uma oferta irrecusável." in portuguese
    assert '<h1 id="movie-title">The Godfather' in english
    assert "O Poderoso Chefão" not in english


def test_a_missing_translation_falls_back_to_the_original_and_says_so(client, godfather):
    movie = godfather["godfather"]
    portuguese = page(client, f"/movies/{movie.id}-the-godfather", PORTUGUESE)

    assert '<p lang="en">The aging patriarch of an organized crime dynasty.</p>' in portuguese
    assert "Exibido em inglês" in portuguese
    english = page(client, f"/movies/{movie.id}-the-godfather", ENGLISH)
    assert "<p>The aging patriarch of an organized crime dynasty.</p>" in english
    assert "fallback-note" not in english


def test_a_text_written_in_the_readers_language_wins_over_the_english_original(
    client, godfather, db
):
    movie = godfather["godfather"]
    db.session.add(
        GeneratedText(
            movie=movie,
            body="Um texto em português.",
            source=TextSource.openai,
            model="a-model",
            language="pt-BR",
        )
    )
    db.session.commit()

    portuguese = page(client, f"/movies/{movie.id}-the-godfather", PORTUGUESE)
    english = page(client, f"/movies/{movie.id}-the-godfather", ENGLISH)

    assert "<p>Um texto em português.</p>" in portuguese
    assert "The aging patriarch" not in portuguese
    assert "fallback-note" not in portuguese
    assert "The aging patriarch" in english
    assert "Um texto em português." not in english


def test_a_synopsis_in_english_wins_over_facts_composed_in_portuguese(client, godfather, db):
    movie, plain = godfather["godfather"], godfather["zodiac"]
    for subject in (movie, plain):
        db.session.add(
            GeneratedText(
                movie=subject,
                body="Composto dos fatos.",
                source=TextSource.offline,
                language="pt-BR",
            )
        )
    db.session.commit()

    with_synopsis = page(client, f"/movies/{movie.id}-the-godfather", PORTUGUESE)
    without = page(client, f"/movies/{plain.id}-zodiac", PORTUGUESE)

    assert '<p lang="en">The aging patriarch of an organized crime dynasty.</p>' in with_synopsis
    assert "Composto dos fatos." not in with_synopsis
    assert "<p>Composto dos fatos.</p>" in without  # nothing better: the composed text


def test_one_canonical_url_whatever_the_language(client, godfather):
    movie = godfather["godfather"]
    response = client.get(f"/movies/{movie.id}", headers=PORTUGUESE)
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith(f"/movies/{movie.id}-the-godfather")
    listed = page(client, "/movies/", PORTUGUESE)
    assert f'href="/movies/{movie.id}-the-godfather"' in listed


def test_cards_lists_and_genres_speak_the_readers_language(client, godfather):
    listed = page(client, "/movies/", PORTUGUESE)
    assert '<span class="title-card-title">A Viagem de Chihiro</span>' in listed
    assert '<span class="title-card-title">Zodiac</span>' in listed  # no translation: its own
    genres = page(client, "/genres/", PORTUGUESE)
    assert '<span class="h5 mb-1">Ação</span>' in genres
    genre_page = page(client, "/genres/action", PORTUGUESE)
    assert '<h1 class="mb-3">Ação</h1>' in genre_page
    assert '<span class="h5 mb-1">Action</span>' in page(client, "/genres/", ENGLISH)


def test_genres_are_listed_in_the_readers_alphabetical_order(client, godfather):
    genres = page(client, "/genres/", PORTUGUESE)
    names = re.findall(r'<span class="h5 mb-1">([^<]+)</span>', genres)
    assert names == ["Ação", "Crime", "Drama"]
    english = re.findall(r'<span class="h5 mb-1">([^<]+)</span>', page(client, "/genres/", ENGLISH))
    assert english == ["Action", "Crime", "Drama"]


def test_sorting_by_title_uses_the_readers_titles(client, godfather):
    def order(headers) -> list[str]:
        listed = page(client, "/movies/?sort=title", headers)
        return re.findall(r'<span class="title-card-title">([^<]+)</span>', listed)

    assert order(PORTUGUESE) == ["A Viagem de Chihiro", "O Poderoso Chefão", "Zodiac"]
    assert order(ENGLISH) == ["Spirited Away", "The Godfather", "Zodiac"]


@pytest.mark.parametrize(
    "query", ["poderoso chefao", "O Poderoso Chefão", "a viagem de chihiro", "VIAGEM"]
)
def test_a_title_in_any_stored_language_finds_the_film(client, godfather, query):
    results = page(client, f"/search/?q={query}", ENGLISH)
    assert "The Godfather" in results or "Spirited Away" in results


def test_suggestions_show_the_readers_title_with_the_original_beside_it(client, godfather):
    portuguese = client.get("/search/suggest?q=chihiro", headers=PORTUGUESE).json["results"]
    english = client.get("/search/suggest?q=chihiro", headers=ENGLISH).json["results"]

    assert portuguese[0]["title"] == "A Viagem de Chihiro"
    assert portuguese[0]["subtitle"] == "千と千尋の神隠し · 1999"
    assert english[0]["title"] == "Spirited Away"
    assert english[0]["subtitle"] == "千と千尋の神隠し · 1999"
    plain = client.get("/search/suggest?q=zodiac", headers=PORTUGUESE).json["results"]
    assert plain[0]["subtitle"] == "1999"  # nothing differs: the year alone


def test_a_placeholder_poster_draws_the_readers_title(client, godfather):
    movie = godfather["chihiro"]
    listed = page(client, "/movies/", PORTUGUESE)
    match = re.search(rf"/posters/movie/{movie.id}\.svg\?v=(\w+)&amp;lang=pt-BR", listed)
    assert match
    svg = client.get(f"/posters/movie/{movie.id}.svg?v={match.group(1)}&lang=pt-BR")
    assert "Chihiro" in svg.get_data(as_text=True)
    assert "immutable" in svg.headers["Cache-Control"]
    english = client.get(f"/posters/movie/{movie.id}.svg?lang=xx").get_data(as_text=True)
    assert "Spirited" in english


def test_a_person_page_falls_back_to_the_english_biography(client, db):
    person = make_person(
        "Fernanda Montenegro",
        biography="A Brazilian actress.",
        translations={"pt-BR": {"biography": "Uma atriz brasileira."}},
    )
    other = make_person("Nobody Translated", biography="Only in English.")
    db.session.commit()

    assert "Uma atriz brasileira." in page(client, f"/people/{person.id}-{person.slug}", PORTUGUESE)
    assert "A Brazilian actress." in page(client, f"/people/{person.id}-{person.slug}", ENGLISH)
    fallback = page(client, f"/people/{other.id}-{other.slug}", PORTUGUESE)
    assert '<p class="biography" lang="en">Only in English.</p>' in fallback


def test_an_editor_reading_portuguese_edits_the_main_languages_description(client, editor, db):
    drama = make_genre("Drama")
    drama.generated_texts = [
        GeneratedText(body="Drama is a film genre.", source=TextSource.offline, language="en"),
        GeneratedText(body="Drama é um gênero.", source=TextSource.offline, language="pt-BR"),
    ]
    db.session.commit()

    form = page(client, "/genres/drama/edit", PORTUGUESE)

    assert "Drama is a film genre.</textarea>" in form
    assert "Drama é um gênero." not in form
    assert "No idioma principal do catálogo" in form

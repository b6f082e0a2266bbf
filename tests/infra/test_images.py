"""TMDB image URLs, and cards that fall back to the designed placeholder."""

import pytest

from app.infra.images import tmdb_image_url


def test_tmdb_image_urls(app):
    image = app.jinja_env.filters["tmdb_image"]
    assert image("/abc.jpg", "w500") == "https://image.tmdb.org/t/p/w500/abc.jpg"
    assert image(None) is None
    assert (
        tmdb_image_url("/a b.jpg", "w92", base="https://cdn.test/")
        == "https://cdn.test/w92/a%20b.jpg"
    )


def test_an_image_size_tmdb_does_not_serve_is_refused():
    with pytest.raises(ValueError, match="w123"):
        tmdb_image_url("/abc.jpg", "w123", base="https://cdn.test")


def test_cards_show_tmdb_posters_and_fall_back_to_the_designed_placeholder(client, db):
    from tests.factories import make_movie

    without = make_movie("No Poster")
    with_poster = make_movie("With Poster", poster_path="/poster.jpg")
    db.session.commit()

    page = client.get("/movies/").get_data(as_text=True)

    assert 'src="https://image.tmdb.org/t/p/w342/poster.jpg"' in page
    assert f'data-fallback="/posters/movie/{with_poster.id}.svg?v=' in page
    assert f'src="/posters/movie/{without.id}.svg?v=' in page
    assert f'data-fallback="/posters/movie/{without.id}.svg?v=' in page
    assert "data:image/svg+xml" not in page
    assert 'loading="lazy"' in page
    assert 'width="342"' in page

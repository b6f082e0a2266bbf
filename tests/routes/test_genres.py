"""Genre pages."""

from app.models import GeneratedText, TextSource
from tests.factories import make_genre, make_movie


def test_genres_list_their_movie_counts(client, db):
    drama, comedy = make_genre("Drama"), make_genre("Comedy")
    make_movie("One", genres=[drama])
    make_movie("Two", genres=[drama, comedy])
    make_genre("Western")
    db.session.commit()

    page = client.get("/genres/").get_data(as_text=True)

    assert "2 movies" in page
    assert "1 movie" in page
    assert "0 movies" in page


def test_genre_page_has_its_description_and_filtered_movies(client, db):
    noir = make_genre("Film Noir")
    noir.generated_texts = [
        GeneratedText(body="Shadows and cynicism.", source=TextSource.offline, language="en")
    ]
    make_movie("Dark City Night", genres=[noir], original_language="en")
    make_movie("Sunny Day")
    db.session.commit()

    page = client.get("/genres/film-noir?language=en").get_data(as_text=True)

    assert "Shadows and cynicism." in page
    assert "Written from catalog data" in page
    assert "Dark City Night" in page
    assert "Sunny Day" not in page


def test_unknown_genre_is_a_404(client):
    assert client.get("/genres/not-a-genre").status_code == 404

"""Movie pages."""

from tests.factories import make_cast_credit, make_genre, make_movie, make_person


def test_movie_list_pages_through_the_catalog(client, app, db):
    for number in range(30):
        make_movie(f"Title {number:02}", popularity=float(number))
    db.session.commit()

    first = client.get("/movies/").get_data(as_text=True)
    second = client.get("/movies/?page=2").get_data(as_text=True)

    assert "Title 29" in first
    assert "Title 06" in first
    assert "Title 05" not in first
    assert "Page 1 of 2" in first
    assert "Title 05" in second
    assert "Title 29" not in second


def test_a_page_past_the_end_says_so(client):
    response = client.get("/movies/?page=9")
    assert response.status_code == 200
    assert "Back to the first page" in response.get_data(as_text=True)


def test_a_page_number_below_one_is_a_400(client):
    response = client.get("/movies/?page=0")
    assert response.status_code == 400
    assert "The page number must be 1 or more." in response.get_data(as_text=True)


def test_movie_page_shows_the_movie_its_genres_and_cast(client, db):
    movie = make_movie(
        "Fight Club", runtime=139, tagline="Mischief. Mayhem. Soap.", genres=[make_genre("Drama")]
    )
    make_cast_credit(movie, make_person("Brad Pitt"), "Tyler Durden", order=1)
    make_cast_credit(movie, make_person("Edward Norton"), "Narrator", order=0)
    db.session.commit()

    response = client.get(f"/movies/{movie.id}-fight-club")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Fight Club" in page
    assert "(1999)" in page
    assert "2h 19m" in page
    assert "Drama" in page
    assert "Mischief. Mayhem. Soap." in page
    assert page.index("Edward Norton") < page.index("Brad Pitt")
    assert "as Tyler Durden" in page


def test_a_missing_or_wrong_slug_redirects_to_the_canonical_url(client, db):
    movie = make_movie("Fight Club")
    db.session.commit()

    for url in (f"/movies/{movie.id}", f"/movies/{movie.id}-fight-clud"):
        response = client.get(url)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/movies/{movie.id}-fight-club"


def test_an_unknown_movie_is_a_404(client):
    assert client.get("/movies/999999-nothing").status_code == 404

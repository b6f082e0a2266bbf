"""Movie pages: the filtered list, one movie, its cast and crew."""

from datetime import date

import pytest

from app.models import GeneratedText, TextSource
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person
from tests.support import titles_in


@pytest.fixture
def shelf(db):
    drama, comedy = make_genre("Drama"), make_genre("Comedy")
    old = dict(release_date=date(1955, 5, 1), runtime=90, vote_average=8.1, popularity=3.0)
    new = dict(release_date=date(2021, 1, 1), runtime=100, vote_average=6.0, popularity=9.0)
    both = dict(release_date=date(1999, 3, 3), runtime=130, vote_average=7.2, popularity=5.0)
    movies = {
        "old": make_movie("Old Drama", original_language="fr", genres=[drama], **old),
        "new": make_movie("New Comedy", original_language="en", genres=[comedy], **new),
        "both": make_movie("Dramedy", original_language="en", genres=[drama, comedy], **both),
    }
    db.session.commit()
    return movies


ALL = ("Old Drama", "New Comedy", "Dramedy")


def test_list_is_by_popularity_by_default(client, shelf):
    page = client.get("/movies/").get_data(as_text=True)
    assert titles_in(page, *ALL) == ["New Comedy", "Dramedy", "Old Drama"]
    assert "3 movies" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("genre=drama", ["Dramedy", "Old Drama"]),
        ("genre=drama&genre=comedy", ["Dramedy"]),
        ("decade=1990", ["Dramedy"]),
        ("year_from=1990&year_to=2030", ["New Comedy", "Dramedy"]),
        ("min_rating=7", ["Dramedy", "Old Drama"]),
        ("min_rating=7.5", ["Old Drama"]),
        ("runtime_min=95&runtime_max=120", ["New Comedy"]),
        ("language=fr", ["Old Drama"]),
        ("sort=title", ["Dramedy", "New Comedy", "Old Drama"]),
        ("sort=title&order=desc", ["Old Drama", "New Comedy", "Dramedy"]),
        ("sort=rating", ["Old Drama", "Dramedy", "New Comedy"]),
        ("sort=release_date", ["New Comedy", "Dramedy", "Old Drama"]),
        ("sort=runtime", ["Dramedy", "New Comedy", "Old Drama"]),
    ],
)
def test_filters_and_sorts(client, shelf, query, expected):
    page = client.get(f"/movies/?{query}").get_data(as_text=True)
    assert titles_in(page, *ALL) == expected


def test_invalid_filter_values_are_ignored_with_a_notice(client, shelf):
    response = client.get(
        "/movies/?year_from=abc&min_rating=99&language=english&sort=cost&genre=nope"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert titles_in(page, *ALL) == ["New Comedy", "Dramedy", "Old Drama"]
    assert "Ignored from year" in page
    assert "Ignored minimum tmdb rating" in page
    assert "Ignored original language" in page
    assert "Ignored sort by" in page
    assert "Ignored genre “nope”" in page


def test_an_empty_result_offers_to_clear_the_filters(client, shelf):
    page = client.get("/movies/?language=ja").get_data(as_text=True)
    assert "No movies match these filters" in page
    assert "Clear the filters" in page


def test_pages_keep_the_filters_in_their_links(client, db):
    for number in range(30):
        make_movie(f"Title {number:02}", popularity=float(number), original_language="en")
    db.session.commit()

    first = client.get("/movies/?language=en&per_page=12").get_data(as_text=True)
    last = client.get("/movies/?language=en&per_page=12&page=3").get_data(as_text=True)

    assert "Title 29" in first
    assert "Title 18" in first
    assert "Title 17" not in first
    assert "showing 1–12" in first
    assert "language=en" in first.split("Pages")[1]
    assert "Title 05" in last
    assert "showing 25–30" in last


@pytest.mark.parametrize("page", ["-1", "0", "abc", "999999"])
def test_odd_page_numbers_are_clamped(client, shelf, page):
    response = client.get(f"/movies/?page={page}")
    assert response.status_code == 200
    assert "Dramedy" in response.get_data(as_text=True)


def test_movie_page_shows_details_credits_and_links(client, db):
    drama = make_genre("Drama")
    movie = make_movie(
        "Fight Club",
        runtime=139,
        tagline="Mischief. Mayhem. Soap.",
        genres=[drama],
        tmdb_id=550,
        budget=63_000_000,
        revenue=100_853_753,
        certification="R",
        trailer_key="abc123",
        original_title="Fight Club",
        overview="An office worker meets a soap salesman.",
    )
    make_cast_credit(movie, make_person("Brad Pitt"), "Tyler Durden", order=1)
    make_cast_credit(movie, make_person("Edward Norton"), "Narrator", order=0)
    make_crew_credit(movie, make_person("David Fincher"), "Director", "Directing")
    make_crew_credit(movie, make_person("Jim Uhls"), "Screenplay", "Writing")
    db.session.commit()

    response = client.get(f"/movies/{movie.id}-fight-club")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fight Club" in page
    assert "2h 19m" in page
    assert "$63,000,000" in page
    assert "$100,853,753" in page
    assert "Mischief. Mayhem. Soap." in page
    assert f'href="/genres/{drama.slug}"' in page
    assert page.index("Edward Norton") < page.index("Brad Pitt")
    assert "Tyler Durden" in page
    assert "Directed by" in page
    assert "David Fincher" in page
    assert "Written by" in page
    assert "https://www.youtube.com/watch?v=abc123" in page
    assert "https://www.themoviedb.org/movie/550" in page
    assert 'property="og:title"' in page
    assert "Ratings and reviews" in page


def test_a_generated_description_carries_its_provenance(client, db):
    movie = make_movie("Quiet Film")
    movie.generated_texts = [
        GeneratedText(
            body="A quiet film about a lighthouse.",
            source=TextSource.openai,
            model="gpt-4o-mini",
            language="en",
        )
    ]
    db.session.commit()

    page = client.get(f"/movies/{movie.id}-quiet-film").get_data(as_text=True)

    assert "A quiet film about a lighthouse." in page
    assert "AI-generated" in page
    assert "gpt-4o-mini" in page


def test_full_cast_and_crew_page(client, db):
    movie = make_movie("Ensemble")
    for order in range(20):
        make_cast_credit(movie, make_person(f"Actor {order:02}"), f"Role {order}", order=order)
    make_crew_credit(movie, make_person("Cam Era"), "Director of Photography", "Camera")
    db.session.commit()

    response = client.get(f"/movies/{movie.id}-ensemble/credits")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Actor 19" in page
    assert "Director of Photography" in page
    assert client.get(f"/movies/{movie.id}-wrong/credits").status_code == 301


def test_similar_movies_share_people_or_genres(client, db):
    drama = make_genre("Drama")
    director = make_person("Auteur")
    first = make_movie("First Film", genres=[drama])
    second = make_movie("Second Film")
    make_movie("Popular Drama", genres=[drama], popularity=99.0)
    make_movie("Unrelated", popularity=100.0)
    make_crew_credit(first, director, "Director", "Directing")
    make_crew_credit(second, director, "Director", "Directing")
    db.session.commit()

    page = client.get(f"/movies/{first.id}-first-film").get_data(as_text=True)
    similar = page.split("Similar movies")[1]
    assert similar.index("Second Film") < similar.index("Popular Drama")
    assert "Unrelated" not in similar


def test_a_missing_or_wrong_slug_redirects_to_the_canonical_url(client, db):
    movie = make_movie("Fight Club")
    db.session.commit()

    for url in (f"/movies/{movie.id}", f"/movies/{movie.id}-fight-clud"):
        response = client.get(url)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/movies/{movie.id}-fight-club"


def test_an_unknown_movie_is_a_404(client):
    assert client.get("/movies/999999-nothing").status_code == 404
    assert client.get("/movies/999999-nothing/credits").status_code == 404


def test_similar_movies_also_share_keywords(client, db):
    from app.models import Keyword

    heist = Keyword(tmdb_id=10, name="heist")
    first = make_movie("Big Job")
    second = make_movie("Another Job")
    make_movie("Popular Other", popularity=100.0)
    first.keywords = [heist]
    second.keywords = [heist]
    db.session.commit()

    page = client.get(f"/movies/{first.id}-big-job").get_data(as_text=True)
    assert "Another Job" in page.split("Similar movies")[1]


@pytest.mark.parametrize(
    "url",
    [
        "/movies/999999999999999999999999",
        "/movies/9223372036854775808-x/credits",
        "/movies/2147483648-x",
        "/movies/0-zero",
        "/people/99999999999999999999999-x",
    ],
)
def test_ids_too_large_for_the_database_are_404s(client, url):
    assert client.get(url).status_code == 404


def test_one_unknown_genre_drops_only_itself(client, shelf):
    page = client.get("/movies/?genre=drama&genre=bogus&genre=drama").get_data(as_text=True)
    assert titles_in(page, *ALL) == ["Dramedy", "Old Drama"]
    assert "Ignored genre “bogus”: not one we know." in page


@pytest.mark.parametrize("blank", [" ", "\t", "\n "])
def test_a_blank_decade_is_ignored(client, blank):
    assert client.get("/movies/", query_string={"decade": blank}).status_code == 200


def test_the_movie_page_says_what_else_a_film_is_called(client, db):
    titles = [f"Title {number}" for number in range(1, 9)]
    movie = make_movie("The Godfather", alternative_titles=titles)
    db.session.commit()
    page = client.get(f"/movies/{movie.id}-{movie.slug}").get_data(as_text=True)
    shown = " · ".join(titles[:6])
    also = f'<dt class="col-sm-3">Also known as</dt><dd class="col-sm-9">{shown} · and 2 more</dd>'
    assert also in page

"""Reviews: one per member and movie, and the movie's figures kept right."""

from __future__ import annotations

import pytest

from app.models import Movie
from app.services import reviews
from tests.factories import make_genre, make_movie, make_user


def review(user, movie, rating, body=None, spoilers=False, recommends=None):
    return reviews.upsert(
        user=user, movie=movie, rating=rating, body=body, spoilers=spoilers, recommends=recommends
    )


def figures(db, movie: Movie) -> tuple[int, float | None]:
    db.session.refresh(movie)
    return movie.review_count, movie.review_average


def test_sending_again_updates_the_one_review(db):
    user, movie = make_user("ana"), make_movie("Alien")

    first = review(user, movie, 6, "Fine.")
    second = review(user, movie, 9, "Better the second time.", recommends=True)

    assert first.id == second.id
    assert second.rating == 9
    assert figures(db, movie) == (1, 9.0)


def test_figures_stay_right_after_create_edit_and_delete(db):
    movie = make_movie("Alien")
    ana, bea, cy = make_user("ana"), make_user("bea"), make_user("cyd")

    review(ana, movie, 8)
    review(bea, movie, 6)
    assert figures(db, movie) == (2, 7.0)
    cys = review(cy, movie, 10)
    assert figures(db, movie) == (3, 8.0)
    review(bea, movie, 3)
    assert figures(db, movie) == (3, 7.0)
    reviews.delete(cys)
    assert figures(db, movie) == (2, 5.5)
    for remaining in (reviews.of(ana, movie), reviews.of(bea, movie)):
        reviews.delete(remaining)
    assert figures(db, movie) == (0, None)


@pytest.mark.parametrize("rating", [0, 11, -1, None, "7"])
def test_a_rating_outside_one_to_ten_is_refused(db, rating):
    with pytest.raises(reviews.ReviewError, match="rating from 1 to 10") as refused:
        review(make_user("ana"), make_movie(), rating)
    assert refused.value.field == "rating"


def test_a_review_over_the_limit_is_refused(db):
    with pytest.raises(reviews.ReviewError, match="under 5,000 characters") as refused:
        review(make_user("ana"), make_movie(), 7, "x" * 5001)
    assert refused.value.field == "body"


def test_text_is_tidied_and_a_blank_review_is_none(db):
    user, movie = make_user("ana"), make_movie()

    saved = review(user, movie, 7, "  First.\r\n\r\nSecond.  ", spoilers=True)
    assert saved.body == "First.\n\nSecond."
    assert saved.contains_spoilers

    blank = review(user, movie, 7, "   \n ", spoilers=True)
    assert blank.body is None
    assert not blank.contains_spoilers  # nothing to hide


def test_only_the_author_owns_a_review(db):
    ana, bea, movie = make_user("ana"), make_user("bea"), make_movie()
    own = review(ana, movie, 7)

    assert reviews.owned(ana, own.id) is own
    with pytest.raises(reviews.NotYourReviewError):
        reviews.owned(bea, own.id)
    with pytest.raises(reviews.ReviewNotFoundError):
        reviews.owned(ana, 999_999)


def test_stats_count_average_recommendations_and_distribution(db):
    movie = make_movie()
    for number, (rating, recommends) in enumerate([(8, True), (8, True), (4, False), (10, None)]):
        review(make_user(f"user{number}"), movie, rating, recommends=recommends)

    stats = reviews.stats_for_movie(movie)

    assert stats.count == 4
    assert stats.average == 7.5
    assert stats.recommend_share == pytest.approx(2 / 3)
    assert stats.distribution == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0, 6: 0, 7: 0, 8: 2, 9: 0, 10: 1}
    assert stats.tallest == 2
    assert reviews.stats_for_movie(make_movie()).count == 0


def test_the_viewers_own_review_comes_first_and_apart(db):
    movie = make_movie()
    ana = make_user("ana")
    others = [review(make_user(f"user{n}"), movie, 5 + n % 5) for n in range(12)]
    own = review(ana, movie, 9)

    mine, page = reviews.for_movie(movie, page=1, viewer=ana)

    assert mine is own
    assert own not in page.items
    assert page.total == 12
    assert len(page.items) == reviews.REVIEWS_PER_PAGE
    assert page.items[0] is others[-1]  # newest first
    _none, anonymous = reviews.for_movie(movie, page=2, viewer=None)
    assert anonymous.total == 13
    assert len(anonymous.items) == 3


def test_a_members_figures_and_favourite_genres(db):
    ana = make_user("ana")
    horror, comedy = make_genre("Horror"), make_genre("Comedy")
    for number in range(3):
        movie = make_movie(f"Scary {number}")
        movie.genres.append(horror)
        review(ana, movie, 8)
    funny = make_movie("Funny")
    funny.genres.append(comedy)
    review(ana, funny, 5)

    stats = reviews.stats_for_user(ana)

    assert (stats.count, stats.average) == (4, 7.25)
    assert reviews.favourite_genres(ana) == [(horror, 3), (comedy, 1)]
    assert reviews.for_user(ana, page=1).total == 4

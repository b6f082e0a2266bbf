"""Ratings and reviews: one per member and movie, with the movie's aggregates kept in step.

Every change recomputes the movie's review count and average on the movie
row in the same transaction, so the catalog sorts by members' rating with an
index and never reads a stale figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import case, distinct, func, select, update
from sqlalchemy.orm import joinedload

from ..infra.db import db
from ..models import DiaryEntry, Genre, Movie, Review, User, movie_genres
from . import revisions
from .errors import ForbiddenError, NotFoundError, ServiceError
from .numbers import format_decimal
from .paging import Page, clamp

MAX_BODY_LENGTH = 5000
RATINGS = range(1, 11)
REVIEWS_PER_PAGE = 10


class ReviewError(ServiceError):
    """A review was refused."""


class ReviewNotFoundError(NotFoundError):
    """No review has that id."""


class NotYourReviewError(ForbiddenError):
    """The review belongs to someone else: only its author may change it."""


@dataclass(frozen=True)
class RatingStats:
    """How a movie (or a member) rates: count, average, share who recommend, 1–10 histogram."""

    count: int = 0
    average: float | None = None
    recommend_share: float | None = None
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))

    @property
    def tallest(self) -> int:
        """The largest bar, to scale a chart."""
        return max(self.distribution.values(), default=0)


def upsert(
    *,
    user: User,
    movie: Movie,
    rating: int,
    body: str | None,
    spoilers: bool,
    recommends: bool | None,
) -> Review:
    """Rate and review a movie; sending again updates the member's one review."""
    if not isinstance(rating, int) or rating not in RATINGS:
        raise ReviewError(_("Give a rating from 1 to 10."), field="rating")
    body = _clean_body(body)
    _lock(movie.id)
    review = of(user, movie)
    if review is None:
        review = Review(user=user, movie=movie)
        db.session.add(review)
    review.rating = rating
    review.body = body
    review.contains_spoilers = spoilers and body is not None
    review.recommends = recommends
    db.session.flush()
    refresh_movie(movie)
    return review


def _clean_body(body: str | None) -> str | None:
    """The text with its paragraphs, line endings made alike and outer blanks trimmed."""
    if body is None:
        return None
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) > MAX_BODY_LENGTH:
        raise ReviewError(
            _(
                "Keep the review under %(limit)s characters (it has %(count)s).",
                limit=format_decimal(MAX_BODY_LENGTH),
                count=format_decimal(len(body)),
            ),
            field="body",
        )
    return body or None


def owned(user: User, review_id: int) -> Review:
    """One of the member's own reviews, with its movie; NotYourReviewError for anyone else's."""
    review = db.session.get(Review, review_id, options=[joinedload(Review.movie)])
    if review is None:
        raise ReviewNotFoundError(_("There is no review %(id)s.", id=review_id))
    if review.user_id != user.id:
        raise NotYourReviewError(_("Only its author may change a review."))
    return review


def of(user: User, movie: Movie) -> Review | None:
    """The member's review of a movie, if any."""
    return db.session.scalar(
        select(Review).where(Review.user_id == user.id, Review.movie_id == movie.id)
    )


def delete(review: Review) -> None:
    """Delete a review and update its movie's figures."""
    movie = review.movie
    _lock(movie.id)
    db.session.delete(review)
    db.session.flush()
    refresh_movie(movie)


def _lock(*movie_ids: int) -> None:
    """Take the movies' rows for this transaction, so reviews of one movie go one at a time.

    Without it, two members reviewing at once each recount from a snapshot
    missing the other's review (PostgreSQL), and one member's double submit
    inserts twice. SQLite's write lock already serialises writers.
    """
    db.session.execute(select(Movie.id).where(Movie.id.in_(movie_ids)).with_for_update())


def refresh_movies(movie_ids: list[int]) -> None:
    """Recompute the figures of many movies at once (after a member and their reviews go)."""
    if movie_ids:
        _lock(*movie_ids)
        _set_figures(movie_ids)
        revisions.bump()


def reviewed_movie_ids(user: User) -> list[int]:
    """The movies a member has reviewed."""
    return list(db.session.scalars(select(Review.movie_id).where(Review.user_id == user.id)))


def refresh_movie(movie: Movie) -> None:
    """Recompute a movie's review count and average from its reviews (its row is locked)."""
    _set_figures([movie.id])
    db.session.expire(movie, ["review_count", "review_average"])
    revisions.bump()


def _set_figures(movie_ids: list[int]) -> None:
    """Count and average each movie's reviews in one UPDATE.

    Counted by the database rather than adjusted by one, under the movies'
    row locks (see _lock), so two members reviewing at once cannot leave the
    figures off.
    """
    of_movie = Review.movie_id == Movie.id
    db.session.execute(
        update(Movie)
        .where(Movie.id.in_(movie_ids))
        .values(
            review_count=select(func.count(Review.id)).where(of_movie).scalar_subquery(),
            review_average=select(func.avg(Review.rating)).where(of_movie).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )


def stats_for_movie(movie: Movie) -> RatingStats:
    """A movie's rating figures, in one query."""
    return _stats(Review.movie_id == movie.id)


def stats_for_user(user: User) -> RatingStats:
    """A member's rating figures, in one query."""
    return _stats(Review.user_id == user.id)


def _stats(condition) -> RatingStats:
    rows = db.session.execute(
        select(
            Review.rating,
            func.count(),
            func.sum(case((Review.recommends.is_(True), 1), else_=0)),
            func.sum(case((Review.recommends.is_not(None), 1), else_=0)),
        )
        .where(condition)
        .group_by(Review.rating)
    ).all()
    distribution = dict.fromkeys(RATINGS, 0)
    recommending = answered = 0
    for rating, count, yes, said in rows:
        distribution[rating] = count
        recommending += yes or 0
        answered += said or 0
    count = sum(distribution.values())
    if not count:
        return RatingStats()
    average = sum(rating * n for rating, n in distribution.items()) / count
    share = recommending / answered if answered else None
    return RatingStats(count, average, share, distribution)


def for_movie(
    movie: Movie, *, page: int, viewer: User | None, per_page: int = REVIEWS_PER_PAGE
) -> tuple[Review | None, Page[Review]]:
    """The viewer's own review (shown first), and a page of the others, newest first."""
    own = of(viewer, movie) if viewer is not None else None
    others = select(Review).where(Review.movie_id == movie.id)
    if own is not None:
        others = others.where(Review.id != own.id)
    return own, _page(others, page, per_page)


def for_user(user: User, *, page: int, per_page: int = REVIEWS_PER_PAGE) -> Page[Review]:
    """A member's reviews and ratings, newest first, with their movies."""
    return _page(select(Review).where(Review.user_id == user.id), page, per_page)


def _page(query, page: int, per_page: int) -> Page[Review]:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp(page, total=total, per_page=per_page)
    items = db.session.scalars(
        query.options(joinedload(Review.user), joinedload(Review.movie))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def favourite_genres(user: User, *, limit: int = 5) -> list[tuple[Genre, int]]:
    """The genres of the movies a member rated or watched, with how many movies (one query)."""
    rated = select(Review.movie_id.label("movie_id")).where(Review.user_id == user.id)
    watched = select(DiaryEntry.movie_id.label("movie_id")).where(DiaryEntry.user_id == user.id)
    seen = rated.union_all(watched).subquery()
    counted = (
        select(Genre, func.count(distinct(seen.c.movie_id)).label("movies"))
        .join(movie_genres, movie_genres.c.genre_id == Genre.id)
        .join(seen, seen.c.movie_id == movie_genres.c.movie_id)
        .group_by(Genre.id)
        .order_by(func.count(distinct(seen.c.movie_id)).desc(), Genre.name)
        .limit(limit)
    )
    return [(genre, movies) for genre, movies in db.session.execute(counted).all()]

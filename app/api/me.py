"""/api/v1/me: the token's member, their ratings and reviews, watchlist and diary.

Every endpoint acts on the token's own member only: another member's review,
entry or job is answered as not found, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..infra.db import db
from ..models import Movie
from ..services import accounts, catalog, diary, reviews, watchlist
from ..services.errors import ForbiddenError, NotFoundError
from .area import Area
from .auth import current_member, current_token, token_required, write_required
from .paging import paged
from .schemas import (
    DiaryArgs,
    DiaryEntrySchema,
    DiaryListArgs,
    DiaryPageSchema,
    MeSchema,
    PageArgs,
    ReviewArgs,
    ReviewPageSchema,
    ReviewSchema,
    WatchlistEntrySchema,
    WatchlistPageSchema,
)

bp = Area("me", __name__, url_prefix="/me", description="The token's member and their data")


@bp.route("")
@token_required()
@bp.response(200, MeSchema)
def get_me():
    """Who the token belongs to, what it may do, and how much they keep here."""
    member, token = current_member(), current_token()
    return {
        "id": member.id,
        "username": member.username,
        "locale": member.locale,
        "member_since": member.created_at,
        "profile_url": url_for("users.profile", username=member.username, _external=True),
        "token": {
            "name": token.name,
            "scopes": sorted(token.scope_set),
            "expires_at": token.expires_at,
        },
        "ratings": accounts.review_count(member),
        "watchlist": watchlist.count(member),
        "diary_entries": diary.entry_count(member),
    }


def movie_of_mine(movie_id: int, *, adding: bool = False) -> Movie:
    """A movie the member's rows may name: one taken out of the catalog still is theirs.

    Only adding something new needs a movie still in the catalog.
    """
    movie = catalog.get(movie_id)
    if movie is None or (adding and movie.hidden_at is not None):
        raise NotFoundError(_("There is no movie %(id)s.", id=movie_id))
    return movie


# ---- ratings and reviews -------------------------------------------------------


@bp.route("/reviews")
@token_required()
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, ReviewPageSchema)
def list_my_reviews(page: int, per_page: int):
    """The member's ratings and reviews, newest first."""
    return paged(reviews.for_user(current_member(), page=page, per_page=per_page))


@bp.route("/reviews/<id:movie_id>")
@token_required()
@bp.response(200, ReviewSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_my_review(movie_id: int):
    """The member's rating and review of one movie."""
    movie = movie_of_mine(movie_id)
    review = reviews.of(current_member(), movie)
    if review is None:
        raise reviews.ReviewNotFoundError(_("You have not rated this movie."))
    return review


@bp.route("/reviews/<id:movie_id>", methods=["PUT"])
@write_required
@bp.arguments(ReviewArgs, as_kwargs=True)
@bp.response(200, ReviewSchema)
@bp.alt_response(404, response="NOT_FOUND")
def put_my_review(movie_id: int, rating: int, body, contains_spoilers: bool, recommends):
    """Rate (and review) a movie; sending again replaces the member's one review of it."""
    member = current_member()
    if accounts.needs_confirmation(member):
        raise ForbiddenError(accounts.CONFIRM_FIRST)
    movie = movie_of_mine(movie_id, adding=True)
    review = reviews.upsert(
        user=member,
        movie=movie,
        rating=rating,
        body=body,
        spoilers=contains_spoilers,
        recommends=recommends,
    )
    db.session.commit()
    return review


@bp.route("/reviews/<id:movie_id>", methods=["DELETE"])
@write_required
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_my_review(movie_id: int):
    """Delete the member's rating and review of a movie."""
    movie = movie_of_mine(movie_id)
    review = reviews.of(current_member(), movie)
    if review is None:
        raise reviews.ReviewNotFoundError(_("You have not rated this movie."))
    reviews.delete(review)
    db.session.commit()


# ---- the watchlist -------------------------------------------------------------


@bp.route("/watchlist")
@token_required()
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, WatchlistPageSchema)
def list_my_watchlist(page: int, per_page: int):
    """The member's watchlist, latest added first."""
    return paged(watchlist.entries(current_member(), page=page, per_page=per_page))


@bp.route("/watchlist/<id:movie_id>", methods=["PUT"])
@write_required
@bp.response(200, WatchlistEntrySchema, description="Already on the watchlist")
@bp.alt_response(201, schema=WatchlistEntrySchema, description="Added", success=True)
@bp.alt_response(404, response="NOT_FOUND")
def put_on_my_watchlist(movie_id: int):
    """Put a movie on the watchlist (201); already there is fine (200)."""
    movie = movie_of_mine(movie_id, adding=True)
    added = watchlist.add(current_member(), movie)
    db.session.commit()
    entry = watchlist.entry(current_member(), movie)
    return entry, 201 if added else 200


@bp.route("/watchlist/<id:movie_id>", methods=["DELETE"])
@write_required
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_from_my_watchlist(movie_id: int):
    """Take a movie off the watchlist; 404 when it was not on it."""
    movie = movie_of_mine(movie_id)
    if not watchlist.remove(current_member(), movie):
        raise watchlist.NotOnWatchlistError(_("That movie is not on your watchlist."))
    db.session.commit()


# ---- the diary -----------------------------------------------------------------


@bp.route("/diary")
@token_required()
@bp.arguments(DiaryListArgs, location="query", as_kwargs=True)
@bp.response(200, DiaryPageSchema)
def list_my_diary(page: int, per_page: int, year: int | None = None):
    """The member's diary, latest viewing first; `year` narrows it to one year."""
    return paged(diary.entries(current_member(), page=page, per_page=per_page, year=year))


@bp.route("/diary", methods=["POST"])
@write_required
@bp.arguments(DiaryArgs, as_kwargs=True)
@bp.response(201, DiaryEntrySchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def add_to_my_diary(movie_id: int, watched_on):
    """Log a viewing; each rewatch is its own entry."""
    movie = movie_of_mine(movie_id, adding=True)
    entry = diary.log(current_member(), movie, watched_on)
    db.session.commit()
    return diary.get_own(current_member(), entry.id)


@bp.route("/diary/<id:entry_id>")
@token_required()
@bp.response(200, DiaryEntrySchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_my_diary_entry(entry_id: int):
    """One diary entry."""
    return diary.get_own(current_member(), entry_id)


@bp.route("/diary/<id:entry_id>", methods=["DELETE"])
@write_required
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_my_diary_entry(entry_id: int):
    """Delete one diary entry."""
    diary.delete(current_member(), entry_id)
    db.session.commit()

"""Rating and reviewing a movie; editing and deleting one's own review."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.auth import EmptyForm
from ..forms.reviews import ReviewForm
from ..infra.db import db
from ..services import catalog, reviews
from .helpers import confirmed_required, or_404, refused
from .movies import movie_page

bp = Blueprint("reviews", __name__)


@bp.post("/movies/<id:movie_id>/review")
@login_required
@confirmed_required
def save(movie_id: int):
    """Rate and review a movie; sending again updates the member's review."""
    movie = or_404(catalog.get(movie_id))
    form = ReviewForm()
    if form.validate_on_submit() and _saved(form, movie):
        flash(_("Your review of %(title)s is saved.", title=movie.local_title), "success")
        return redirect(url_for("movies.detail", movie_id=movie.id, slug=movie.slug) + "#ratings")
    return movie_page(movie, review_form=form, status=422)


@bp.route("/reviews/<id:review_id>/edit", methods=["GET", "POST"])
@login_required
@confirmed_required
def edit(review_id: int):
    """Change one's own review."""
    review = reviews.owned(current_user, review_id)
    form = ReviewForm() if request.method == "POST" else ReviewForm.for_review(review)
    if form.validate_on_submit() and _saved(form, review.movie):
        flash(_("Your review is updated."), "success")
        movie = review.movie
        return redirect(url_for("movies.detail", movie_id=movie.id, slug=movie.slug) + "#ratings")
    status = 422 if form.errors else 200
    return render_template("reviews/edit.jinja2", form=form, review=review), status


@bp.route("/reviews/<id:review_id>/delete", methods=["GET", "POST"])
@login_required
def delete(review_id: int):
    """Ask, then delete one's own review."""
    review = reviews.owned(current_user, review_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("reviews/delete.jinja2", form=form, review=review)
    movie = review.movie
    reviews.delete(review)
    db.session.commit()
    flash(_("Your review of %(title)s is deleted.", title=movie.local_title), "info")
    return redirect(url_for("movies.detail", movie_id=movie.id, slug=movie.slug) + "#ratings")


def _saved(form: ReviewForm, movie) -> bool:
    """Save the form's review; False (with the error on its field) if it is refused."""
    try:
        reviews.upsert(
            user=current_user,
            movie=movie,
            rating=form.rating.data,
            body=form.body.data,
            spoilers=form.spoilers.data,
            recommends=form.recommendation(),
        )
    except reviews.ReviewError as error:
        refused(error, form)
        return False
    db.session.commit()
    return True

"""A member's own lists: the watchlist and the watched diary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.auth import EmptyForm
from ..forms.library import WatchedForm
from ..infra.db import db
from ..infra.security import same_site_path
from ..infra.templating import format_date
from ..models import DiaryEntry, Movie
from ..services import catalog, diary, watchlist
from .helpers import movie_list_page, or_404, refused
from .movies import movie_page

bp = Blueprint("library", __name__)

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


@bp.post("/movies/<id:movie_id>/watchlist")
@login_required
def add_to_watchlist(movie_id: int):
    """Put a movie on the watchlist (again is fine)."""
    movie = or_404(catalog.get(movie_id))
    added = watchlist.add(current_user, movie)
    db.session.commit()
    if added:
        message = _("“%(title)s” is on your watchlist.", title=movie.local_title)
    else:
        message = _("“%(title)s” was already on your watchlist.", title=movie.local_title)
    return _watchlist_answer(movie, on_list=True, message=message)


@bp.post("/movies/<id:movie_id>/watchlist/remove")
@login_required
def remove_from_watchlist(movie_id: int):
    """Take a movie off the watchlist (again is fine)."""
    movie = or_404(catalog.get(movie_id))
    watchlist.remove(current_user, movie)
    db.session.commit()
    return _watchlist_answer(
        movie,
        on_list=False,
        message=_("“%(title)s” is off your watchlist.", title=movie.local_title),
    )


def _watchlist_answer(movie: Movie, *, on_list: bool, message: str):
    """JSON for the page's script; for a plain form, a flash and the page it came from."""
    if _wants_json():
        return {"on_watchlist": on_list, "count": watchlist.count(current_user)}
    flash(message, "success")
    return redirect(_back_to(movie))


def _wants_json() -> bool:
    accepted = request.accept_mimetypes
    return accepted.best_match(["text/html", "application/json"]) == "application/json"


def _back_to(movie: Movie) -> str:
    """The page the form was on, when it is on this site; else the movie's page."""
    fallback = url_for("movies.detail", movie_id=movie.id, slug=movie.slug)
    return same_site_path(request.referrer) or fallback


@bp.get("/watchlist")
@login_required
def watchlist_page():
    """The member's watchlist, with the same filters, sorts and pages as /movies."""
    within = watchlist.movie_ids_query(current_user)
    return movie_list_page("library/watchlist.jinja2", within=within)


@bp.post("/movies/<id:movie_id>/watched")
@login_required
def watched(movie_id: int):
    """Log a viewing in the diary; take the movie off the watchlist when asked."""
    movie = or_404(catalog.get(movie_id))
    form = WatchedForm()
    if form.validate_on_submit():
        try:
            entry = diary.log(current_user, movie, form.watched_on.data)
        except diary.DiaryError as error:
            refused(error, form)
        else:
            removed = form.remove_from_watchlist.data and watchlist.remove(current_user, movie)
            db.session.commit()
            flash(_logged_message(movie, entry, removed=bool(removed)), "success")
            return redirect(_back_to(movie))
    # The movie page again, with the form as it was sent and its errors.
    g.watched_form = form
    return movie_page(movie, status=422)


def _logged_message(movie: Movie, entry: DiaryEntry, *, removed: bool) -> str:
    day = format_date(entry.watched_on)
    if removed:
        return _(
            "“%(title)s” is in your diary for %(date)s. It is off your watchlist.",
            title=movie.local_title,
            date=day,
        )
    return _("“%(title)s” is in your diary for %(date)s.", title=movie.local_title, date=day)


@bp.post("/movies/<id:movie_id>/seen/forget")
@login_required
def forget_seen(movie_id: int):
    """Take back a "seen" mark an import made; the diary is left as it is."""
    movie = or_404(catalog.get(movie_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    forgotten = diary.forget_seen(current_user, movie)
    db.session.commit()
    if forgotten:
        flash(_("“%(title)s” is no longer marked as seen.", title=movie.local_title), "info")
    return redirect(_back_to(movie))


@bp.get("/diary")
@login_required
def diary_page():
    """One month of the diary (?month=YYYY-MM, this month by default), day by day."""
    shown, notices = _month_asked(request.args.get("month"))
    overview = diary.month_overview(current_user, shown)
    return render_template("library/diary.jinja2", notices=notices, **vars(overview))


def _month_asked(value: str | None) -> tuple[date, list[str]]:
    """The first day of the asked month, or of this month with a notice when it makes no sense."""
    this_month = date.today().replace(day=1)
    if value is None:
        return this_month, []
    match = MONTH_PATTERN.fullmatch(value.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and diary.EARLIEST_DAY.year <= year:
            return date(year, month, 1), []
    notice = _(
        "Ignored month “%(value)s”: write it as YYYY-MM, such as %(example)s.",
        value=value[:20],
        example=f"{this_month:%Y-%m}",
    )
    return this_month, [notice]


@bp.post("/diary/<id:entry_id>/delete")
@login_required
def delete_diary_entry(entry_id: int):
    """Delete one of the member's own diary entries; anyone else's is a 404."""
    entry = diary.delete(current_user, entry_id)
    message = _(
        "Deleted “%(title)s”, %(date)s, from your diary.",
        title=entry.movie.local_title,
        date=format_date(entry.watched_on),
    )
    month = f"{entry.watched_on:%Y-%m}"
    db.session.commit()
    flash(message, "info")
    return redirect(same_site_path(request.referrer) or url_for(".diary_page", month=month))


# Template globals rather than a context processor: macros imported without
# context (a poster card inside a grid macro) see globals only.


@bp.app_template_global()
def watchlist_count() -> int:
    """How many movies the signed-in member has on the watchlist; 0 when signed out."""
    ids = _watchlist_ids()
    return 0 if ids is None else len(ids)


@bp.app_template_global()
def on_watchlist(movie_id: int) -> bool | None:
    """Whether a movie is on the signed-in member's watchlist; None when signed out."""
    ids = _watchlist_ids()
    return None if ids is None else movie_id in ids


def _watchlist_ids() -> set[int] | None:
    """The member's watchlist ids, asked once per request however many cards ask."""
    if not current_user.is_authenticated:
        return None
    if "library_watchlist_ids" not in g:
        g.library_watchlist_ids = watchlist.all_movie_ids(current_user)
    return g.library_watchlist_ids


@dataclass(frozen=True)
class MovieLibrary:
    """What the movie page's watchlist and diary forms show for the signed-in member."""

    on_watchlist: bool
    times_watched: int
    seen: bool  # marked seen (imported) without a day
    form: WatchedForm
    latest_day: date


@bp.app_template_global()
def movie_library(movie: Any) -> MovieLibrary | None:
    """The member's watchlist state, viewings and a fresh WatchedForm; None when signed out."""
    if not current_user.is_authenticated:
        return None
    listed = bool(on_watchlist(movie.id))
    times_watched, seen = diary.viewings(current_user, movie)
    return MovieLibrary(
        on_watchlist=listed,
        times_watched=times_watched,
        seen=seen and not times_watched,
        # The form sent back with its errors, else a fresh one (formdata=None:
        # the page may answer another form's POST).
        form=g.get("watched_form") or WatchedForm(formdata=None, remove_from_watchlist=listed),
        latest_day=diary.latest_day(),
    )

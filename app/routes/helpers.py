"""Helpers views share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import Select
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.routing import IntegerConverter, Map

from ..forms.catalog import MovieFilterForm
from ..infra.errors import error_page
from ..infra.security import same_site_path
from ..models import EntityType
from ..services import accounts, catalog
from ..services.edits import merges
from ..services.errors import ForbiddenError, NotFoundError, ServiceError

if TYPE_CHECKING:
    from flask import Flask

T = TypeVar("T")


class IdConverter(IntegerConverter):
    """A row id in a URL: a positive number that fits the database's integer column.

    Larger numbers do not match the route, so they get the 404 page instead of
    an overflow deep in the database driver.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def sign_out_browser(message: str) -> None:
    """Forget who is signed in here (after the commit) and leave a fresh session with a message."""
    logout_user()
    session.clear()
    flash(message, "info")


def page_number() -> int:
    """The ?page= number; 1 when missing, not a number or below 1 (services clamp the top)."""
    page = request.args.get("page", 1, type=int)
    return max(page, 1)


def list_args(*dropped: str) -> dict[str, Any]:
    """The query string as url_for() arguments, without `page` and the names given."""
    return {
        name: values if len(values) > 1 else values[0]
        for name, values in request.args.lists()
        if name not in ("page", *dropped)
    }


def or_404(found: T | None) -> T:
    """The object, or a 404 page when it is missing."""
    if found is None:
        abort(404)
    return found


def canonical_or_404(
    found: T | None,
    *,
    endpoint: str,
    given: str | None,
    name: str = "slug",
    keep_query: tuple[str, ...] = (),
    **url_values: Any,
) -> T:
    """The object at its canonical URL: a 404 when it is missing, else a 301 there.

    `name` is both the object's attribute and the URL's argument (a movie's
    `slug`, a member's `username`); `keep_query` lists the query arguments
    the redirect carries along.
    """
    item = or_404(found)
    canonical = getattr(item, name)
    if given != canonical:
        query = {key: value for key, value in request.args.items() if key in keep_query}
        abort(redirect(url_for(endpoint, **url_values, **{name: canonical}, **query), 301))
    return item


def merged_or_404(entity_type: EntityType, old_id: int, endpoint: str, id_name: str) -> NoReturn:
    """A merged movie's or person's address leads to the page it went into (301); else 404."""
    new_id = merges.target(entity_type, old_id)
    if new_id is None:
        abort(404)
    query = request.query_string.decode()
    url = url_for(endpoint, **{id_name: new_id}) + (f"?{query}" if query else "")
    abort(redirect(url, 301))


def signed_in_account_key() -> str:
    """The rate-limit key of the signed-in member, whatever their address."""
    return f"account:{current_user.id}"


def genre_choices() -> list[tuple[str, str]]:
    """Every genre as a (slug, name in the reader's language) choice, in alphabetical order."""
    return [(genre.slug, genre.local_name) for genre in catalog.genres_by_local_name()]


def movie_list_page(template: str, *, within: Select | None = None, genre=None, **context: Any):
    """A catalog-style list (movies, a genre, the watchlist): the filter form and one page."""
    form = MovieFilterForm(request.args, genre_choices=genre_choices())
    filters, per_page, notices = form.filters()
    if genre is not None:
        filters = replace(filters, genres=(genre.slug, *filters.genres))
        context["genre"] = genre
    movies = catalog.list_(filters, page=page_number(), per_page=per_page, within=within)
    return render_template(
        template,
        form=form,
        filters=filters,
        movies=movies,
        notices=notices,
        args=list_args(),
        languages=catalog.languages(),
        **context,
    )


def refused(error: ServiceError, form: FlaskForm | None = None) -> None:
    """Show a service's refusal on the form field it names, or as a message above the page."""
    field = getattr(form, error.field or "", None) if form is not None else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def register_refusal_pages(app: Flask) -> None:
    """Answer what a service did not find with the 404 page, and what it forbids with the 403."""
    app.register_error_handler(NotFoundError, lambda error: error_page(NotFound()))
    app.register_error_handler(ForbiddenError, lambda error: error_page(Forbidden()))


def confirmed_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only members with a confirmed email through, when REQUIRE_CONFIRMED_EMAIL is on.

    Put it under @login_required. Others are sent back with a message saying
    how to confirm; nothing they typed is lost by a redirect to the form.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if accounts.needs_confirmation(current_user):
            flash(str(accounts.CONFIRM_FIRST), "warning")
            return redirect(same_site_path(request.referrer) or url_for("users.account"))
        return view(*args, **kwargs)

    return wrapper

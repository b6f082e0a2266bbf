"""Helpers views share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, Map

from ..infra.security import same_site_path

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


def form_error(form: FlaskForm, error: Exception) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def confirmed_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only members with a confirmed email through, when REQUIRE_CONFIRMED_EMAIL is on.

    Put it under @login_required. Others are sent back with a message saying
    how to confirm; nothing they typed is lost by a redirect to the form.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_app.config["REQUIRE_CONFIRMED_EMAIL"] and not current_user.email_confirmed:
            flash(
                "Confirm your email first: follow the link we sent, or send it again from "
                "your account page.",
                "warning",
            )
            return redirect(same_site_path(request.referrer) or url_for("users.account"))
        return view(*args, **kwargs)

    return wrapper

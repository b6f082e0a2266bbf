"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..forms.auth import EmptyForm, LoginForm
from ..infra.db import db
from ..infra.security import is_safe_redirect
from ..services import accounts

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email or username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                identifier=form.identifier.data, password=form.password.data
            )
        except accounts.AccountError as error:
            flash(str(error), "error")
            return render_template("auth/login.jinja2", form=form), 401
        login_user(user, remember=form.remember.data)
        db.session.commit()
        target = form.next.data
        return redirect(target if is_safe_redirect(target) else url_for("main.index"))
    return render_template("auth/login.jinja2", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out)."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))

"""Signing up, in (with an optional second step) and out, and the links sent by mail."""

from __future__ import annotations

import hmac
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import mailers
from ..forms.auth import (
    CodeForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from ..infra.db import db
from ..infra.limits import limiter, setting
from ..infra.security import is_safe_redirect, same_site_path
from ..models import User
from ..services import accounts, login_sessions, tokens, twofactor
from .helpers import refused, sign_out_browser, signed_in_account_key

bp = Blueprint("auth", __name__)


def _named_account() -> str:
    """Throttle per account, however the form names it (username, email, any case)."""
    named = request.form.get("identifier") or request.form.get("email") or ""
    user = accounts.get_by_identifier(named) or accounts.get_by_email(named)
    if user is not None:
        return f"account:{user.id}"
    try:
        return "unknown:" + accounts.normalize_email(named)
    except accounts.AccountError:
        return "unknown:" + named.strip().casefold()


# How long the second sign-in step waits for its code after the password.
SECOND_STEP_SECONDS = 300
_PENDING = "pending_sign_in"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(
    setting("RATELIMIT_SIGNUP_PER_IP"), methods=["POST"], deduct_when=lambda r: r.status_code == 200
)
def signup():
    """Sign up; the answer is the same whether or not the email already has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            mail = accounts.sign_up(
                email=form.email.data, username=form.username.data, password=form.password.data
            )
        except accounts.AccountError as error:
            refused(error, form)
        else:
            mailers.send(mail)
            db.session.commit()
            return render_template("auth/check_inbox.jinja2", email=mail.to)
    return render_template("auth/signup.jinja2", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_LOGIN_PER_IP"), methods=["POST"])
@limiter.limit(setting("RATELIMIT_LOGIN_PER_ACCOUNT"), methods=["POST"], key_func=_named_account)
def login():
    """Sign in with email or username and password; then a code if two-factor is on."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                identifier=form.identifier.data, password=form.password.data
            )
        except accounts.AccountError as error:
            refused(error, form)
            return render_template("auth/login.jinja2", form=form), 401
        return _sign_in_or_ask_for_code(user, remember=form.remember.data, target=form.next.data)
    return render_template("auth/login.jinja2", form=form)


def _sign_in_or_ask_for_code(user: User, *, remember: bool, target: str | None):
    """Sign in now, or, with two-factor on, remember for a few minutes who gave the password."""
    if not user.two_factor_enabled:
        return _finish_sign_in(user, remember=remember, target=target)
    session[_PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "remember": remember,
        "next": target,
        "at": time.time(),
    }
    return redirect(url_for("auth.second_step"))


def _pending_account_key() -> str:
    return "second-step:" + str((session.get(_PENDING) or {}).get("user", ""))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    setting("RATELIMIT_LOGIN_PER_ACCOUNT"), methods=["POST"], key_func=_pending_account_key
)
def second_step():
    """The code from the authenticator app (or a backup code) after the password."""
    pending = session.get(_PENDING)
    user = _pending_user(pending)
    if user is None:
        return _start_again()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(user, form.code.data)
        except twofactor.TwoFactorError as error:
            db.session.commit()  # keep the record of codes seen, even on a wrong one
            refused(error, form)
            return render_template("auth/second_step.jinja2", form=form), 401
        session.pop(_PENDING, None)
        return _finish_sign_in(user, remember=pending["remember"], target=pending["next"])
    return render_template("auth/second_step.jinja2", form=form)


def _start_again():
    session.pop(_PENDING, None)
    flash(_("Log in again: the sign-in took too long or was not started."), "info")
    return redirect(url_for("auth.login"))


def _pending_user(pending: dict | None) -> User | None:
    if not pending or time.time() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        return None
    user = accounts.get(pending.get("user"))
    if user is None or not hmac.compare_digest(user.session_token, str(pending.get("token"))):
        return None  # the password changed since: start again
    return user if user.is_active and user.two_factor_enabled else None


def _finish_sign_in(user: User, *, remember: bool, target: str | None):
    session.clear()  # a fresh session: nothing from before the sign-in carries over
    login_sessions.start(user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)
    accounts.record_login(user)
    db.session.commit()
    return redirect(target if is_safe_redirect(target) else url_for("main.index"))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out)."""
    if EmptyForm().validate_on_submit():
        login_sessions.end(current_user._get_current_object())
        db.session.commit()
        sign_out_browser(_("You are logged out."))
    return redirect(url_for("main.index"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Follow the link that confirms an email address."""
    user = accounts.confirm_email(token)
    db.session.commit()
    if current_user.is_authenticated:
        flash(_("Thank you: %(email)s is confirmed.", email=user.email), "success")
        return redirect(url_for("main.index"))
    flash(_("Thank you: %(email)s is confirmed. Log in to start.", email=user.email), "success")
    return redirect(url_for("auth.login"))


@bp.post("/confirm/resend")
@login_required
@limiter.limit(setting("RATELIMIT_MAIL_PER_ACCOUNT"), key_func=signed_in_account_key)
def resend_confirmation():
    """Send the confirmation link again."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if current_user.email_confirmed:
        flash(_("Your email is already confirmed."), "info")
    else:
        mailers.confirm_email(current_user)
        db.session.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(same_site_path(request.referrer) or url_for("users.account"))


@bp.route("/email/change/<token>", methods=["GET", "POST"])
def change_email(token: str):
    """Follow the link sent to a new address, then confirm: the account switches to it.

    A GET only asks, so a mail scanner that opens the link changes nothing.
    """
    user, new_email = accounts.pending_email_change(token)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("auth/change_email.jinja2", form=form, user=user, email=new_email)
    try:
        user, old_email = accounts.change_email(token)
    except accounts.AccountError as error:
        refused(error)
        return redirect(url_for("main.index"))
    mailers.email_changed(user, old_email=old_email)
    db.session.commit()
    flash(_("Your email is now %(email)s.", email=user.email), "success")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_MAIL_PER_ACCOUNT"), methods=["POST"], key_func=_named_account)
@limiter.limit(setting("RATELIMIT_LOGIN_PER_IP"), methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.account_for_reset(form.email.data)
        if user is not None:
            mailers.reset_password(user)
            db.session.commit()
        return render_template("auth/check_email.jinja2", email=form.email.data)
    return render_template("auth/forgot_password.jinja2", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through an emailed link."""
    accounts.user_for_reset(token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except accounts.AccountError as error:
            refused(error, form)
        else:
            db.session.commit()
            logout_user()
            flash(
                _(
                    "Your password is changed, %(username)s. Log in with it now.",
                    username=user.username,
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.jinja2", form=form, token=token)


# Which link a page was reached by, for the advice on the page saying it does not work.
_LINKS = {
    "auth.confirm": "confirm",
    "auth.change_email": "change-email",
    "auth.reset_password": "reset",
}


@bp.errorhandler(tokens.TokenError)
def token_problem(error: tokens.TokenError):
    """A page saying why a link does not work and what to do next."""
    link = _LINKS[request.endpoint]
    page = render_template("auth/token_problem.jinja2", error=error, link=link)
    return page, 410 if error.gone else 400


@bp.app_context_processor
def _account_settings() -> dict:
    return {"require_confirmed_email": current_app.config["REQUIRE_CONFIRMED_EMAIL"]}

"""Public profiles, the account page and its changes, avatars and two-factor set-up."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from .. import mailers
from ..forms.auth import EmptyForm
from ..forms.profile import (
    ApiTokenForm,
    AvatarForm,
    BackupCodesForm,
    DeleteAccountForm,
    EmailForm,
    PasswordForm,
    TwoFactorDisableForm,
    TwoFactorEnableForm,
    UsernameForm,
)
from ..infra.db import db
from ..infra.limits import limiter, setting
from ..models.mixins import utcnow
from ..services import accounts, api_tokens, avatars, login_sessions, reviews, twofactor
from ..services.errors import ServiceError
from .helpers import (
    canonical_or_404,
    page_number,
    refused,
    sign_out_browser,
    signed_in_account_key,
)

bp = Blueprint("users", __name__)


# Wrong passwords and codes on the account page, per account: a stolen
# session must not become a way to guess the password or a code.
password_checks = limiter.limit(
    setting("RATELIMIT_PASSWORD_CHECKS"),
    key_func=signed_in_account_key,
    deduct_when=lambda response: response.status_code == 422,
)
mail_sent = limiter.limit(setting("RATELIMIT_MAIL_PER_ACCOUNT"), key_func=signed_in_account_key)


def _signed_in_again(message: str, category: str = "success") -> None:
    """After the session token changed, sign this browser back in under the new one; say why."""
    user = current_user._get_current_object()
    login_user(user, remember=user.login_session.remember)
    flash(message, category)


AVATAR_CACHE_SECONDS = 365 * 24 * 3600  # file names change with every upload
PLACEHOLDER_CACHE_SECONDS = 24 * 3600


def media_dir() -> Path:
    """Where uploads live: MEDIA_DIR, or media/ in the instance folder."""
    return Path(current_app.config.get("MEDIA_DIR") or Path(current_app.instance_path) / "media")


@bp.app_template_global()
def avatar_url(user, size: int = 256) -> str:
    """The address of a user's picture: the upload, or the generated one."""
    if user.avatar:
        return url_for("users.avatar", stem=user.avatar, size=256 if size > 64 else 64)
    return url_for("users.placeholder_avatar", username=user.username)


@bp.get("/users/<username>")
def profile(username: str):
    """A member's public page."""
    found = accounts.get_by_username(username, active_only=True)
    user = canonical_or_404(found, endpoint="users.profile", given=username, name="username")
    return render_template(
        "users/profile.jinja2",
        user=user,
        stats=reviews.stats_for_user(user),
        reviews=reviews.for_user(user, page=page_number()),
        genres=reviews.favourite_genres(user),
    )


@bp.get("/users/<username>/avatar.svg")
def placeholder_avatar(username: str):
    """The generated picture of someone without an avatar (initials on a colour)."""
    response = Response(avatars.placeholder_svg(username), mimetype="image/svg+xml")
    # Opened on its own, an SVG is a document: let it run and fetch nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.cache_control.public = True
    response.cache_control.max_age = PLACEHOLDER_CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/media/avatars/<stem>-<int:size>.webp")
def avatar(stem: str, size: int):
    """An uploaded avatar, cached for a year: a new upload gets a new name."""
    path = avatars.path_for(media_dir(), stem, size)
    if path is None:  # an invalid name or size, or no such file
        abort(404)
    response = send_file(
        path, mimetype="image/webp", conditional=True, etag=True, max_age=AVATAR_CACHE_SECONDS
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.get("/account")
@login_required
def account():
    """The signed-in user's settings."""
    return _account_page()


def _account_page(status: int = 200, **forms):
    defaults = {
        "username_form": UsernameForm(username=current_user.username),
        "email_form": EmailForm(),
        "password_form": PasswordForm(),
        "avatar_form": AvatarForm(),
        "delete_form": DeleteAccountForm(),
        "disable_form": TwoFactorDisableForm(),
        "codes_form": BackupCodesForm(),
        "token_form": ApiTokenForm(),
    }
    context = {**defaults, **forms}
    context["review_count"] = accounts.review_count(current_user)
    context["backup_codes_left"] = (
        twofactor.remaining_backup_codes(current_user) if current_user.two_factor_enabled else 0
    )
    context["sign_ins"] = login_sessions.list_(current_user)
    context["api_tokens"] = api_tokens.list_(current_user)
    context["now"] = utcnow()
    context["browser_name"] = login_sessions.browser_name
    return render_template("users/account.jinja2", **context), status


@bp.post("/account/sessions/<id:login_id>/end")
@login_required
def end_session(login_id: int):
    """Log out one other browser from the list of sign-ins."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    login_sessions.end_other(current_user, login_id)
    db.session.commit()
    flash(_("That browser is logged out."), "success")
    return redirect(url_for("users.account") + "#sessions-heading")


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions():
    """Log out everywhere, this browser included."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    login_sessions.end_all(current_user._get_current_object())
    db.session.commit()
    sign_out_browser(_("You are logged out everywhere, on every device."))
    return redirect(url_for("auth.login"))


@bp.post("/account/tokens")
@login_required
def create_api_token():
    """Make a personal access token and show it, this once."""
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            made = api_tokens.create(
                user=current_user,
                name=form.name.data,
                scopes=form.chosen_scopes,
                expires_in_days=form.chosen_days,
            )
        except ServiceError as error:
            refused(error, form)
        else:
            db.session.commit()
            page = render_template("users/api_token.jinja2", token=made.token, secret=made.secret)
            return _no_store(Response(page, status=201))
    return _account_page(422, token_form=form)


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    """Stop one of the member's tokens from working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = api_tokens.revoke(current_user, token_id)
    db.session.commit()
    flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("users.account") + "#tokens-heading")


@bp.post("/account/username")
@login_required
def change_username():
    """Pick a new username."""
    form = UsernameForm()
    if form.validate_on_submit():
        try:
            accounts.change_username(current_user, form.username.data)
        except accounts.AccountError as error:
            refused(error, form)
        else:
            db.session.commit()
            flash(
                _("Your username is now %(username)s.", username=current_user.username), "success"
            )
            return redirect(url_for("users.account"))
    return _account_page(422, username_form=form)


@bp.post("/account/email")
@login_required
@password_checks
@mail_sent
def change_email():
    """Mail a link to a new address; the email changes when it is followed."""
    form = EmailForm()
    if form.validate_on_submit():
        try:
            mail = accounts.request_email_change(
                current_user, password=form.current_password.data, new_email=form.email.data
            )
        except accounts.AccountError as error:
            refused(error, form)
        else:
            mailers.send(mail)
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(email)s. Your email changes when you follow it.",
                    email=mail.to,
                ),
                "info",
            )
            return redirect(url_for("users.account"))
    return _account_page(422, email_form=form)


@bp.post("/account/password")
@login_required
@password_checks
def change_password():
    """Set a new password; every other session of this account ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, current=form.current_password.data, new=form.password.data
            )
        except accounts.AccountError as error:
            refused(error, form)
        else:
            db.session.commit()
            _signed_in_again(_("Your password is changed. Other devices have been signed out."))
            return redirect(url_for("users.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/avatar")
@login_required
def upload_avatar():
    """Replace the avatar with an uploaded picture."""
    form = AvatarForm()
    if form.validate_on_submit():
        try:
            old = avatars.replace(current_user, form.avatar.data.stream, folder=media_dir())
        except avatars.AvatarError as error:
            refused(error, form)
        else:
            db.session.commit()
            avatars.remove(media_dir(), old)
            flash(_("Your new picture is up."), "success")
            return redirect(url_for("users.account"))
    return _account_page(422, avatar_form=form)


@bp.post("/account/avatar/remove")
@login_required
def remove_avatar():
    """Go back to the generated picture."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    old = avatars.clear(current_user)
    db.session.commit()
    avatars.remove(media_dir(), old)
    flash(_("Your picture is removed."), "info")
    return redirect(url_for("users.account"))


@bp.post("/account/delete")
@login_required
@password_checks
def delete_account():
    """Delete the account, its reviews and its watchlist."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        old_avatar, username = user.avatar, user.username
        try:
            accounts.delete(user, password=form.current_password.data)
        except accounts.AccountError as error:
            refused(error, form)
        else:
            db.session.commit()
            avatars.remove(media_dir(), old_avatar)
            sign_out_browser(
                _(
                    "The account %(username)s is deleted. Thank you for having been here.",
                    username=username,
                )
            )
            return redirect(url_for("main.index"))
    return _account_page(422, delete_form=form)


@bp.post("/account/two-factor/start")
@login_required
def start_two_factor():
    """Make a new key for the authenticator app, then show it."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not current_user.two_factor_enabled:
        twofactor.begin_setup(current_user)
        db.session.commit()
    return redirect(url_for("users.two_factor_setup"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@password_checks
def two_factor_setup():
    """Scan the QR code (or type the key), then confirm with a first code and the password.

    The key waits in the user's encrypted column, not in the session cookie,
    until the first code proves the app has it.
    """
    secret = twofactor.pending_secret(current_user)
    if secret is None:
        return redirect(url_for("users.account"))
    form = TwoFactorEnableForm()
    if form.validate_on_submit():
        password, code = form.current_password.data, form.code.data
        try:
            codes = accounts.enable_two_factor(current_user, password=password, code=code)
        except ServiceError as error:
            refused(error, form)
        else:
            db.session.commit()
            _signed_in_again(_("Two-factor sign-in is on. Other devices have been signed out."))
            return _show_backup_codes(codes)
    return _two_factor_setup_page(form, secret)


def _two_factor_setup_page(form: TwoFactorEnableForm, secret: str) -> Response:
    uri = twofactor.provisioning_uri(secret, account=current_user.email)
    page = render_template(
        "users/two_factor_setup.jinja2",
        form=form,
        qr_code=twofactor.qr_code_svg(uri),
        secret=twofactor.format_secret(secret),
    )
    return _no_store(Response(page, status=422 if form.errors else 200))


def _show_backup_codes(codes: list[str]) -> Response:
    # Shown in the answer to the POST, never stored where they could be read later.
    return _no_store(Response(render_template("users/backup_codes.jinja2", codes=codes)))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-factor/backup-codes")
@login_required
@password_checks
def renew_backup_codes():
    """Replace the backup codes (the password is needed)."""
    form = BackupCodesForm()
    if form.validate_on_submit():
        try:
            codes = accounts.renew_backup_codes(current_user, password=form.current_password.data)
        except ServiceError as error:
            refused(error, form)
        else:
            db.session.commit()
            return _show_backup_codes(codes)
    return _account_page(422, codes_form=form)


@bp.post("/account/two-factor/disable")
@login_required
@password_checks
def disable_two_factor():
    """Turn two-factor sign-in off (password and a code are needed)."""
    form = TwoFactorDisableForm()
    if form.validate_on_submit():
        try:
            accounts.disable_two_factor(
                current_user, password=form.current_password.data, code=form.code.data
            )
        except ServiceError as error:
            refused(error, form)
        else:
            db.session.commit()
            _signed_in_again(
                _("Two-factor sign-in is off. Other devices have been signed out."), "info"
            )
            return redirect(url_for("users.account"))
    return _account_page(422, disable_form=form)

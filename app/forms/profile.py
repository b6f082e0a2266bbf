"""Forms on the account page: username, email, password, avatar, two-factor, tokens, deletion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..services.accounts import MAX_PASSWORD_LENGTH
from .auth import new_password_fields


def _current_password(label: str | None = None) -> PasswordField:
    return PasswordField(
        _l("Current password") if label is None else label,
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class UsernameForm(FlaskForm):
    """A new username."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=30)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    submit = SubmitField(_l("Change username"))


class EmailForm(FlaskForm):
    """A new email address, confirmed by a link before it replaces the old one."""

    email = EmailField(
        _l("New email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    current_password = _current_password()
    submit = SubmitField(_l("Change email"))


class PasswordForm(FlaskForm):
    """The current password and a new one typed twice."""

    current_password = _current_password()
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Change password"))


class AvatarForm(FlaskForm):
    """A picture; its content, not its name, decides whether it is one."""

    avatar = FileField(
        _l("Picture"),
        validators=[FileRequired(_l("Choose a picture to upload."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    submit = SubmitField(_l("Upload"))


class TwoFactorEnableForm(FlaskForm):
    """The first code from the authenticator app, proving it is set up, and the password."""

    current_password = _current_password(_l("Password"))
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class TwoFactorDisableForm(FlaskForm):
    """Password and a current code (or backup code)."""

    current_password = _current_password(_l("Password"))
    code = StringField(
        _l("Code from the app, or a backup code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Turn off two-factor sign-in"))


class BackupCodesForm(FlaskForm):
    """Password, to replace the backup codes with new ones."""

    current_password = _current_password(_l("Password"))
    submit = SubmitField(_l("Make new backup codes"))


class DeleteAccountForm(FlaskForm):
    """Password, to delete the account for good."""

    current_password = _current_password(_l("Password"))
    submit = SubmitField(_l("Delete my account"))


class ApiTokenForm(FlaskForm):
    """A new personal access token: its name, what it may do and how long it lasts."""

    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        render_kw={"placeholder": _l("Home dashboard, phone app…")},
    )
    scopes = RadioField(
        _l("It may"),
        choices=[
            SelectChoice("read", _l("Read my data and the catalog")),
            SelectChoice(
                "read write", _l("Read, and change my ratings, reviews, watchlist and diary")
            ),
        ],
        default="read",
    )
    expires_in_days = SelectField(
        _l("Expires"),
        choices=[
            SelectChoice("30", _l("In 30 days")),
            SelectChoice("90", _l("In 90 days")),
            SelectChoice("365", _l("In a year")),
            SelectChoice("", _l("Never")),
        ],
        default="90",
    )
    submit = SubmitField(_l("Make a token"))

    @property
    def chosen_scopes(self) -> set[str]:
        """The scopes chosen, as a set."""
        return set((self.scopes.data or "").split())

    @property
    def chosen_days(self) -> int | None:
        """Days until it expires; None for never."""
        return int(self.expires_in_days.data) if self.expires_in_days.data else None

"""Forms for signing up, in and out, and for the links sent by mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.accounts import MAX_PASSWORD_LENGTH

# Each label of a new password, and of the same typed again: one message each.
PASSWORD_LABELS = {
    "New password": (_l("New password"), _l("New password again")),
    "Password": (_l("Password"), _l("Password again")),
}


def new_password_fields(label: str = "New password") -> tuple[PasswordField, PasswordField]:
    """A new password and the same typed again, for a form's class body.

    `label` is the English label, "New password" or "Password" (see PASSWORD_LABELS);
    another shows as it is, untranslated.
    """
    shown, again = PASSWORD_LABELS.get(label, (label, f"{label} again"))
    password = PasswordField(
        shown,
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        again,
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    """Email or username, and password."""

    identifier = StringField(
        _l("Email or username"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class SignupForm(FlaskForm):
    """Email, username and a password typed twice."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=30)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password, confirm = new_password_fields("Password")
    submit = SubmitField(_l("Sign up"))


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a backup code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"},
    )
    submit = SubmitField(_l("Verify"))


class ResetRequestForm(FlaskForm):
    """The email to send a password reset link to."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send the link"))


class NewPasswordForm(FlaskForm):
    """A new password typed twice."""

    password, confirm = new_password_fields()
    submit = SubmitField(_l("Set the password"))


class EmptyForm(FlaskForm):
    """A POST-only button that carries a CSRF token."""

    submit = SubmitField(_l("Submit"))

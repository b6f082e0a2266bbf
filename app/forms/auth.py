"""Forms for signing up, in and out, and for the links sent by mail."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.accounts import MAX_PASSWORD_LENGTH


def new_password_fields(label: str = "New password") -> tuple[PasswordField, PasswordField]:
    """A new password and the same typed again, for a form's class body."""
    password = PasswordField(
        label,
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        f"{label} again",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    """Email or username, and password."""

    identifier = StringField(
        "Email or username",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in")
    next = HiddenField()
    submit = SubmitField("Log in")


class SignupForm(FlaskForm):
    """Email, username and a password typed twice."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=30)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password, confirm = new_password_fields("Password")
    submit = SubmitField("Sign up")


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a backup code."""

    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"},
    )
    submit = SubmitField("Verify")


class ResetRequestForm(FlaskForm):
    """The email to send a password reset link to."""

    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    submit = SubmitField("Send the link")


class NewPasswordForm(FlaskForm):
    """A new password typed twice."""

    password, confirm = new_password_fields()
    submit = SubmitField("Set the password")


class EmptyForm(FlaskForm):
    """A POST-only button that carries a CSRF token."""

    submit = SubmitField("Submit")

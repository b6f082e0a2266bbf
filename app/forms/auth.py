"""Forms for signing in and out."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email or username, and password."""

    identifier = StringField(
        "Email or username",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in")
    next = HiddenField()
    submit = SubmitField("Log in")


class EmptyForm(FlaskForm):
    """A POST-only button that carries a CSRF token."""

    submit = SubmitField("Submit")

"""The mails the site sends: rendered from templates/mail/, sent after the commit."""

from __future__ import annotations

from flask import render_template, url_for

from ..infra import mail
from ..models import User
from ..services import accounts


def _send(to: str, subject: str, template: str, **context) -> None:
    mail.send_after_commit(
        mail.Message(
            to=to,
            subject=subject,
            text=render_template(f"mail/{template}.txt", **context),
            html=render_template(f"mail/{template}.html.jinja2", **context),
        )
    )


def confirm_email(user: User) -> None:
    """The link that confirms the user's email."""
    link = url_for("auth.confirm", token=accounts.confirmation_token(user), _external=True)
    _send(user.email, "Confirm your email for Marquee", "confirm_email", user=user, link=link)


def change_email(user: User, *, new_email: str, token: str) -> None:
    """The link that moves the account to a new address, sent to that address."""
    link = url_for("auth.change_email", token=token, _external=True)
    _send(new_email, "Confirm your new email for Marquee", "change_email", user=user, link=link)


def reset_password(user: User) -> None:
    """The link to choose a new password."""
    link = url_for("auth.reset_password", token=accounts.reset_token(user), _external=True)
    _send(user.email, "Reset your Marquee password", "reset_password", user=user, link=link)

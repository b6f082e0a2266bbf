"""The mails the site sends: rendered from templates/mail/, sent after the commit.

Links are built on BASE_URL when it is set (always in prod), never on the
Host header of the request that caused the mail: a forged Host would
otherwise send a member's reset link to another site.

Not a service: it renders templates, and without BASE_URL (dev) url_for
needs the request. Not in routes/ either, so a command or a job can send
these mails too. It uses infra, models and services; only the layers above
them import it: routes today, cli/ and jobs/ once they send mail.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, render_template, url_for
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from .infra import i18n, mail
from .models import User
from .services import accounts


def link(endpoint: str, **values) -> str:
    """An absolute link to a page of the site, for a mail."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def _send(to: str, subject: LazyString, template: str, *, reader: User | None, **context) -> None:
    """Render and queue a mail in its reader's saved language, else the request's."""
    saved = i18n.supported(reader.locale) if reader is not None else None
    with force_locale(i18n.babel_name(saved)) if saved else nullcontext():
        message = mail.Message(
            to=to,
            subject=str(subject),
            text=render_template(f"mail/{template}.txt", **context),
            html=render_template(f"mail/{template}.html.jinja2", **context),
        )
    mail.send_after_commit(message)


def confirm_email(user: User) -> None:
    """The link that confirms the user's email."""
    url = link("auth.confirm", token=accounts.confirmation_token(user))
    subject = _l("Confirm your email for Marquee")
    _send(user.email, subject, "confirm_email", reader=user, user=user, link=url)


def already_registered(email: str) -> None:
    """Someone signed up with an address that has an account: tell its owner, not them."""
    urls = {"login": link("auth.login"), "reset": link("auth.forgot_password")}
    owner = accounts.get_by_email(email)
    subject = _l("You already have a Marquee account")
    _send(email, subject, "already_registered", reader=owner, **urls)


def change_email(user: User, *, new_email: str, token: str) -> None:
    """The link that moves the account to a new address, sent to that address."""
    url = link("auth.change_email", token=token)
    subject = _l("Confirm your new email for Marquee")
    _send(new_email, subject, "change_email", reader=user, user=user, link=url)


def address_in_use(email: str) -> None:
    """Someone asked to move another account to this address, which has one already."""
    owner = accounts.get_by_email(email)
    subject = _l("Your address was offered for another Marquee account")
    _send(email, subject, "address_in_use", reader=owner)


def email_changed(user: User, *, old_email: str) -> None:
    """Tell the old address that the account moved away from it."""
    url = link("auth.forgot_password")
    subject = _l("Your Marquee email was changed")
    _send(old_email, subject, "email_changed", reader=user, user=user, reset=url)


def reset_password(user: User) -> None:
    """The link to choose a new password."""
    url = link("auth.reset_password", token=accounts.reset_token(user))
    subject = _l("Reset your Marquee password")
    _send(user.email, subject, "reset_password", reader=user, user=user, link=url)


def send(mail: accounts.Mail) -> None:
    """Send the mail an account operation decided on."""
    match mail.kind:
        case "confirm_email":
            confirm_email(mail.user)
        case "already_registered":
            already_registered(mail.to)
        case "change_email":
            change_email(mail.user, new_email=mail.to, token=mail.token)
        case "address_in_use":
            address_in_use(mail.to)
        case _:
            raise ValueError(f"no mail is called {mail.kind!r}")

"""Flask-Login: who is signed in."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from ..models import User
from ..services import login_sessions

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.localize_callback = str  # the lazy message, in the visitor's language
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user for a session or remember-me cookie, or None if it has ended.

    The id names one sign-in (logging out deletes it) and carries the account's
    session token (a new password, or logging out everywhere, renews it).
    """
    return login_sessions.resume(session_id)


def init_app(app: Flask) -> None:
    """Attach the login manager to the app."""
    login_manager.init_app(app)

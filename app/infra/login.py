"""Flask-Login: who is signed in."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_login import LoginManager

from ..models import User
from .db import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user for a session, or None if the id is stale, bad or revoked.

    The id carries the user's session token, which a password change renews:
    sessions and remember-me cookies signed before it stop working.
    """
    row_id, _, token = session_id.partition(":")
    if not row_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(row_id))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    """Attach the login manager to the app."""
    login_manager.init_app(app)

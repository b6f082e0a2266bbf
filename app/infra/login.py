"""Flask-Login: who is signed in."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from ..models import User
from .db import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user for a session, or None if the id is stale or bad."""
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def init_app(app: Flask) -> None:
    """Attach the login manager to the app."""
    login_manager.init_app(app)

"""Accounts: creating users and checking their passwords."""

from __future__ import annotations

from sqlalchemy import or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..infra.db import db
from ..models import User
from ..models.mixins import utcnow

MIN_PASSWORD_LENGTH = 10
# Checked against when no account matches, so both paths cost one hash.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """An account operation was refused; the message is safe to show."""


def create(*, email: str, username: str, password: str) -> User:
    """Register a user with a hashed password."""
    email = email.strip().lower()
    username = username.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError("Enter a valid email address.")
    if not username:
        raise AccountError("Choose a username.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if find(email) or find(username):
        raise AccountError("That email or username is already registered.")
    user = User(email=email, username=username, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def find(identifier: str) -> User | None:
    """The user whose email or username (any case) is `identifier`."""
    identifier = identifier.strip()
    return db.session.scalar(
        select(User).where(
            or_(User.email == identifier.lower(), User.username_key == identifier.casefold())
        )
    )


def authenticate(*, identifier: str, password: str) -> User:
    """The active user with these credentials; the error never says which part was wrong."""
    user = find(identifier)
    password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not password_ok or not user.is_active:
        raise AccountError("Wrong email, username or password.")
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def hash_password(password: str) -> str:
    """A scrypt hash of the password (memory-hard)."""
    return generate_password_hash(password, method="scrypt")

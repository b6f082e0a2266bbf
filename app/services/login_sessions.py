"""Sign-ins: one row a browser, so logging out ends that browser's cookies on the server.

The id Flask-Login keeps in the session and in the remember-me cookie is
`<user id>:<session token>:<sign-in key>`. The session token belongs to the
account (a new one ends every sign-in at once); the key belongs to one sign-in,
and only its hash is stored. A cookie is accepted while its sign-in row exists
and has not expired, whatever the cookie itself says.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..infra.db import db
from ..models import LoginSession, User
from ..models.mixins import utcnow
from ..models.user import new_session_token
from .errors import NotFoundError


class SignInNotFoundError(NotFoundError):
    """The member has no other sign-in with that id."""


# Flask-Login's own default for REMEMBER_COOKIE_DURATION.
REMEMBER_DAYS_DEFAULT = 365


def start(user: User, *, remember: bool, user_agent: str = "") -> LoginSession:
    """Record a new sign-in for this browser; `user.get_id()` then names it."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now)
    )
    key = secrets.token_urlsafe(32)
    login = LoginSession(
        user=user,
        key_hash=_hash(key),
        remember=remember,
        user_agent=user_agent[:255],
        created_at=now,
        expires_at=now + _lifetime(remember=remember),
    )
    db.session.add(login)
    db.session.flush()
    user.login_key, user.login_session = key, login
    return login


def resume(session_id: str) -> User | None:
    """The user a cookie's id names, or None if the sign-in ended, expired or never was."""
    user_id, _, rest = session_id.partition(":")
    token, _, key = rest.partition(":")
    if not user_id.isdigit() or not token or not key:
        return None
    found = db.session.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == int(user_id), LoginSession.key_hash == _hash(key))
    ).first()
    if found is None:
        return None
    user, login = found
    if login.expires_at <= utcnow() or not hmac.compare_digest(user.session_token, token):
        return None
    user.login_key, user.login_session = key, login
    return user


def end(user: User) -> None:
    """End the sign-in this user object was loaded for (logging out of this browser)."""
    if user.login_session is not None:
        db.session.delete(user.login_session)
        db.session.flush()
    user.login_key = user.login_session = None


def end_other(user: User, login_id: int) -> None:
    """End another of the user's sign-ins by its row id (this browser's ends by logging out)."""
    if user.login_session is not None and user.login_session.id == login_id:
        raise SignInNotFoundError(_("This browser logs out with the logout button."))
    result = db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.id == login_id)
    )
    db.session.flush()
    if result.rowcount == 0:
        raise SignInNotFoundError(_("That sign-in has ended already."))


def end_all(user: User, *, keep_current: bool = False) -> None:
    """Sign the user out everywhere (but in this browser, if `keep_current`)."""
    user.session_token = new_session_token()
    ended = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and user.login_session is not None:
        ended = ended.where(LoginSession.id != user.login_session.id)
    else:
        user.login_key = user.login_session = None
    db.session.execute(ended)
    db.session.flush()


def list_(user: User) -> list[LoginSession]:
    """The user's sign-ins that still work, the newest first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.expires_at > utcnow())
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        )
    )


_BROWSERS = (  # the order matters: Edge and Opera also say Chrome, Chrome also says Safari
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str) -> str:
    """A short name for a browser from its User-Agent: 'Firefox on Windows'."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or (re.split(r"[/\s]", user_agent.strip())[0] or _("Unknown browser"))


def _lifetime(*, remember: bool) -> timedelta:
    config = current_app.config
    if remember:
        duration = config.get("REMEMBER_COOKIE_DURATION", timedelta(days=REMEMBER_DAYS_DEFAULT))
    else:
        duration = config["PERMANENT_SESSION_LIFETIME"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()

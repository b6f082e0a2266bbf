"""Signed, expiring links: email confirmation, email change, password reset.

Each token is signed with SECRET_KEY and a salt per purpose, so one kind can
never be used as another. Single use comes from what the token binds: a
confirmation names the email it confirms, a reset names a fingerprint of the
password hash it replaces; once used, the account no longer matches.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import ServiceError

CONFIRM_EMAIL = "confirm-email"
CHANGE_EMAIL = "change-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 (a salt name, not a password)


class TokenError(ServiceError):
    """A link cannot be used; `reason` is 'expired', 'invalid' or 'used', the message says so."""

    MESSAGES = {  # noqa: RUF012 (read only)
        "expired": _l("This link has expired"),
        "used": _l("This link was already used"),
        "invalid": _l("This link does not work"),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(str(self.MESSAGES[reason]))
        self.reason = reason

    @property
    def gone(self) -> bool:
        """Whether the link worked once (expired or used), rather than never."""
        return self.reason in ("expired", "used")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"marquee-{purpose}")


def make(purpose: str, payload: dict[str, Any]) -> str:
    """A signed, timestamped token carrying `payload`."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, *, max_age: int) -> dict[str, Any]:
    """The payload of a token made for `purpose` no more than `max_age` seconds ago."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(reason="expired") from None
    except BadSignature:
        raise TokenError(reason="invalid") from None
    if not isinstance(payload, dict):
        raise TokenError(reason="invalid")
    return payload


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash: a reset link stops working once it changes."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]

"""Personal access tokens for the API: made and revoked by their member, kept only as hashes.

A token is `mq_` and 43 random URL-safe characters (256 bits). It is shown
once, when made; the database keeps its SHA-256, which is enough for a value
that random (a slow password hash would only slow every API call), and its
first characters so the account page can tell tokens apart. The last use is
written at most once a minute per token, so reading the API does not turn
every request into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..infra.db import db
from ..models import ApiToken, User
from ..models.mixins import utcnow
from .errors import NotFoundError, ServiceError

TOKEN_PREFIX = "mq_"  # noqa: S105 (a marker, not a secret)
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 25
MAX_LIFETIME_DAYS = 366 * 2
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenError(ServiceError):
    """A token could not be made as asked."""


class ApiTokenNotFoundError(NotFoundError):
    """The member has no token with that id."""


class TokenRefusedError(ServiceError):
    """A request's token does not authenticate; `reason` says why, for the 401's message."""

    MESSAGES = {  # noqa: RUF012 (read only)
        "missing": _l("Send a personal access token: Authorization: Bearer <token>."),
        "malformed": _l("That is not a Marquee access token."),
        "unknown": _l("That token is not known: it may have been mistyped or deleted."),
        "revoked": _l("That token was revoked."),
        "expired": _l("That token has expired."),
        "inactive": _l("The account of that token is disabled."),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(str(self.MESSAGES[reason]))
        self.reason = reason


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the secret shown to its member this once."""

    token: ApiToken
    secret: str


def create(
    *, user: User, name: str, scopes: set[str] | frozenset[str], expires_in_days: int | None
) -> NewToken:
    """Make a token for the member; `write` includes `read`, no expiry when days is None."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiTokenError(
            _("Give the token a name, such as the app that will use it."), field="name"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ApiTokenError(
            _("Keep the name under %(limit)s characters.", limit=MAX_NAME_LENGTH), field="name"
        )
    if not scopes or not set(scopes) <= set(SCOPES):
        raise ApiTokenError(
            _("Choose what the token may do: read, or read and write."), field="scopes"
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise ApiTokenError(
            _("Choose an expiry between 1 and %(days)s days.", days=MAX_LIFETIME_DAYS),
            field="expires_in_days",
        )
    if active_count(user) >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError(
            _(
                "You have %(count)s tokens: revoke one you no longer use first.",
                count=MAX_ACTIVE_TOKENS,
            )
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        secret_hash=secret_hash(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        scopes=" ".join(scope for scope in SCOPES if scope == READ or scope in scopes),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token=token, secret=secret)


def secret_hash(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def list_(user: User) -> list[ApiToken]:
    """The member's tokens that were not revoked, newest first (expired ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def active_count(user: User) -> int:
    """How many of the member's tokens still work."""
    now = utcnow()
    query = select(func.count()).where(
        ApiToken.user_id == user.id,
        ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
    )
    return db.session.scalar(query) or 0


def revoke(user: User, token_id: int) -> ApiToken:
    """Stop one of the member's tokens from working, at once; anyone else's is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise ApiTokenNotFoundError(_("You have no such token."))
    token.revoked_at = utcnow()
    db.session.flush()
    return token


def authenticate(secret: str | None) -> ApiToken:
    """The live token with this secret, its member loaded; TokenRefusedError otherwise."""
    if not secret:
        raise TokenRefusedError(reason="missing")
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise TokenRefusedError(reason="malformed")
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.secret_hash == secret_hash(secret))
        .options(joinedload(ApiToken.user))
    )
    if token is None:
        raise TokenRefusedError(reason="unknown")
    if token.revoked_at is not None:
        raise TokenRefusedError(reason="revoked")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise TokenRefusedError(reason="expired")
    if not token.user.active:
        raise TokenRefusedError(reason="inactive")
    return token


def record_use(token: ApiToken, *, now: datetime | None = None) -> bool:
    """Note that the token was used now, unless it already was within the last minute."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    token.last_used_at = now
    return True

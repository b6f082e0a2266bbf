"""Who is calling: a personal access token in `Authorization: Bearer`, never a session cookie.

The API reads no cookie, so a page on another site cannot make a member's
browser act through it, and it needs no CSRF token. A request without a token
reads the public catalog; one with a bad, revoked or expired token is a 401
whatever it asks; a member's endpoints need a token with the scope they
name (`read`, or `write` for changes).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from sqlalchemy.exc import OperationalError

from ..infra.db import db
from ..infra.problems import problem
from ..models import ApiToken, User
from ..services import api_tokens
from ..services.api_tokens import READ, WRITE, TokenRefusedError
from .document import SECURITY_SCHEME

CHALLENGE = 'Bearer realm="Marquee"'


def bearer_secret() -> str | None:
    """The token sent in the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def checked_token() -> ApiToken | TokenRefusedError | None:
    """The request's live token, why its token was refused, or None when it sent none.

    Checked once a request, whoever asks first: the rate limit's key (before
    anything else runs), the upload size, then `load_token`.
    """
    if "api_token_checked" not in g:
        g.api_token_checked = _check_token()
    return g.api_token_checked


def _check_token() -> ApiToken | TokenRefusedError | None:
    if "Authorization" not in request.headers:
        return None
    try:
        token = api_tokens.authenticate(bearer_secret())
    except TokenRefusedError as error:
        return error
    try:
        if api_tokens.record_use(token):
            db.session.commit()
    except OperationalError:
        # On SQLite a read that turns into a write can meet a newer writer's commit:
        # the last use is a convenience, so it waits for the token's next request.
        db.session.rollback()
    return token


def load_token() -> None:
    """Authenticate the request's token, if it sent one; a refused token ends it with a 401."""
    checked = checked_token()
    if isinstance(checked, TokenRefusedError):
        abort(_unauthorized(checked.message, invalid=checked.reason != "missing"))
    g.api_token = checked


def _unauthorized(detail: str, *, invalid: bool):
    challenge = CHALLENGE + (', error="invalid_token"' if invalid else "")
    return problem("unauthorized", detail=detail, headers={"WWW-Authenticate": challenge})


def current_token() -> ApiToken | None:
    """The request's authenticated token, or None for an anonymous request."""
    return g.get("api_token")


def current_member() -> User:
    """The member whose token made this request (only inside a `@token_required` view)."""
    return g.api_token.user


def token_required(scope: str = READ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let through only requests with a live token carrying `scope`; document it in the spec."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            token = current_token()
            if token is None:
                abort(_unauthorized(str(TokenRefusedError.MESSAGES["missing"]), invalid=False))
            if scope not in token.scope_set:
                abort(
                    problem(
                        "insufficient-scope",
                        detail=_("This needs a token with the “%(scope)s” scope.", scope=scope),
                        headers={
                            "WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope", '
                            f'scope="{scope}"'
                        },
                    )
                )
            return view(*args, **kwargs)

        return Blueprint.doc(security=[{SECURITY_SCHEME: [scope]}])(checked)

    return decorate


write_required = token_required(WRITE)


def rate_limit() -> str:
    """The limit of this request: its live token's, else its address's."""
    live = isinstance(checked_token(), ApiToken)
    return current_app.config["API_RATE_LIMIT_PER_TOKEN" if live else "API_RATE_LIMIT_PER_ADDRESS"]


def rate_limit_key() -> str:
    """Requests with a live token count against it; others (refused tokens too) their address's."""
    checked = checked_token()
    if isinstance(checked, ApiToken):
        return f"api-token:{checked.id}"
    return "api-address:" + get_remote_address()


def may_upload() -> bool:
    """Whether the request's token may start an import (so its large body is worth reading)."""
    checked = checked_token()
    return isinstance(checked, ApiToken) and WRITE in checked.scope_set

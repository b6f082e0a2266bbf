"""Who is calling: a personal access token in `Authorization: Bearer`, never a session cookie.

The API reads no cookie, so a page on another site cannot make a member's
browser act through it, and it needs no CSRF token. A request without a token
reads the public catalog; one with a bad, revoked or expired token is a 401
whatever it asks; a member's endpoints need a token with the scope they
name (`read`, or `write` for changes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

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


def load_token() -> None:
    """Authenticate the request's token, if it sent one; a refused token ends it with a 401."""
    g.api_token = None
    if "Authorization" not in request.headers:
        return
    try:
        token = api_tokens.authenticate(bearer_secret())
    except TokenRefusedError as error:
        abort(_unauthorized(error.message, invalid=error.reason != "missing"))
    if api_tokens.record_use(token):
        db.session.commit()
    g.api_token = token


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
    """The limit of this request: its token's, or its address's when it sends none."""
    name = "API_RATE_LIMIT_PER_TOKEN" if bearer_secret() else "API_RATE_LIMIT_PER_ADDRESS"
    return current_app.config[name]


def rate_limit_key() -> str:
    """Requests with a token count against it; others against their address."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()

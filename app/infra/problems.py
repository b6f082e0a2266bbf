"""Errors as `application/problem+json` (RFC 9457), for every address under /api/v1/.

Each problem has a stable `type`, a relative URL under /api/problems/ whose
page says what it means; `title` is the same for every problem of a type and
`detail` is about this one. Validation problems add `errors`, one per field:
where it was (`query`, `json`, `form`, `files`, `path`), its name and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

API_PATH = "/api/v1/"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its status, its slug in the type URL and its title."""

    status: int
    slug: str
    title: Any  # a lazy string: in the reader's language when shown

    @property
    def type(self) -> str:
        """The `type` member: a relative URL of the page about it."""
        return f"/api/problems/{self.slug}"


PROBLEM_TYPES = {
    problem.slug: problem
    for problem in (
        ProblemType(400, "bad-request", _l("The request could not be read")),
        ProblemType(401, "unauthorized", _l("A valid access token is needed")),
        ProblemType(403, "insufficient-scope", _l("The token may not do that")),
        ProblemType(403, "forbidden", _l("You may not do that")),
        ProblemType(404, "not-found", _l("There is nothing at this address")),
        ProblemType(405, "method-not-allowed", _l("That method is not allowed here")),
        ProblemType(406, "not-acceptable", _l("The API answers in JSON only")),
        ProblemType(409, "conflict", _l("That conflicts with what is already there")),
        ProblemType(410, "gone", _l("That is no longer in the catalog")),
        ProblemType(413, "payload-too-large", _l("The request is too large")),
        ProblemType(415, "unsupported-media-type", _l("Send JSON (or a form, for uploads)")),
        ProblemType(422, "validation-failed", _l("Some values are not valid")),
        ProblemType(429, "rate-limited", _l("Too many requests")),
        ProblemType(500, "server-error", _l("Something went wrong on our side")),
        ProblemType(503, "unavailable", _l("The service is unavailable for a moment")),
    )
}
_BY_STATUS = {problem.status: problem for problem in reversed(PROBLEM_TYPES.values())}


def is_api_request() -> bool:
    """Whether this request is for the API (so its errors are problems, not pages)."""
    return request.path.startswith(API_PATH) or request.path == API_PATH.rstrip("/")


def problem(
    slug: str,
    *,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    """A problem+json response of the given type."""
    kind = PROBLEM_TYPES[slug]
    body: dict[str, Any] = {
        "type": kind.type,
        "title": str(kind.title),
        "status": status or kind.status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body), status=status or kind.status, mimetype=MEDIA_TYPE
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(error: HTTPException) -> Response:
    """The problem for an HTTP error raised anywhere under the API."""
    code = error.code or 500
    kind = _BY_STATUS.get(code) or (_BY_STATUS[500] if code >= 500 else _BY_STATUS[400])
    data = getattr(error, "data", None) or {}
    field_errors = field_errors_of(data.get("messages") or data.get("errors"))
    headers = {
        name: value
        for name, value in (error.get_headers() if code != 500 else [])
        if name.lower() in ("allow", "retry-after", "www-authenticate")
    }
    detail = data.get("message") or _description(error, kind)
    if code == 429:
        # Flask-Limiter's description is the limit's own English ("120 per 1 minute").
        detail = _("Too many requests: wait as long as Retry-After says, then try again.")
    return problem(kind.slug, detail=detail, errors=field_errors, headers=headers, status=code)


def _description(error: HTTPException, kind: ProblemType) -> str | None:
    """Werkzeug's description, unless it is its generic English one."""
    default = type(error).description
    described = error.description
    return None if not described or described == default or kind.status >= 500 else described


def field_errors_of(messages: Any) -> list[dict[str, str]]:
    """webargs' {location: {field: [message, …]}} as a flat list, one entry per message."""
    if not isinstance(messages, dict):
        return []
    flat: list[dict[str, str]] = []
    for location, by_field in messages.items():
        if not isinstance(by_field, dict):
            flat.append({"in": "body", "field": str(location), "detail": _joined(by_field)})
            continue
        for field, found in _walk(by_field):
            flat.append({"in": str(location), "field": field, "detail": found})
    return flat


def _walk(messages: dict, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, value in messages.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            found += _walk(value, path)
        else:
            found.append((path, _joined(value)))
    return found


def _joined(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(each) for each in value)
    return str(value)

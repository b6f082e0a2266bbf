"""The JSON API at /api/v1: thin endpoints over the same services as the pages.

flask-smorest validates requests, dumps answers and writes the OpenAPI 3.1
document from the schemas in schemas.py, so the document cannot drift from
the code. Errors are problem+json (infra/problems.py); catalog reads carry
the catalog revision's ETag; every request is rate limited per token, or per
address without one; CORS is off unless API_CORS_ORIGINS names origins.
"""

from __future__ import annotations

import copy
import http
import time
from importlib import import_module
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from flask_cors import CORS
from flask_smorest import Api, Blueprint
from marshmallow import fields

from ..infra import i18n
from ..infra.limits import limiter
from ..infra.problems import MEDIA_TYPE, PROBLEM_TYPES, is_api_request, problem
from ..infra.security import csrf
from ..routes.helpers import IdConverter
from ..services.errors import ForbiddenError, NotFoundError, ServiceError
from . import auth
from .schemas import MAX_ID, Schema

PREFIX = "/api/v1"
VERSION = "1.0.0"
# One module of app/api/ each, with its blueprint as `bp`; its name is the spec's tag.
AREAS = ("movies", "people", "genres", "search", "me", "imports", "jobs")
EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "X-Total-Count",
    "Content-Language",
)
DESCRIPTION = """The catalog, and a member's own ratings, reviews, watchlist, diary and imports.

Reading the catalog needs no token. A member's endpoints need a personal access
token, made on the account page: `Authorization: Bearer mq_…`. Errors are
`application/problem+json` (RFC 9457). See docs/API.md for examples."""


class ProblemSchema(Schema):
    """An RFC 9457 problem."""

    type = fields.String(required=True, metadata={"description": "A stable URL naming the kind"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "Per field: `in` (query, json, form, files), `field`, `detail`"},
    )


class MarqueeApi(Api):
    """flask-smorest's Api, answering errors as problems and serving a finished document."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # infra/errors.py answers every error under /api/ as a problem; smorest's
        # own handler would take over the HTML error pages of the whole site.
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {MEDIA_TYPE: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {"description": "An error", "content": {MEDIA_TYPE: {"schema": self.ERROR_SCHEMA}}},
            lazy=True,
        )

    def _openapi_json(self) -> Response:
        document = current_app.extensions.get("marquee.openapi")
        if document is None:
            document = json.dumps(finished_document(self.spec.to_dict()), indent=2)
            current_app.extensions["marquee.openapi"] = document
        response = current_app.response_class(document, mimetype="application/json")
        response.cache_control.public = True
        response.cache_control.no_cache = True
        response.set_etag(current_app.extensions["release"][0])
        return response.make_conditional(request)


api = MarqueeApi()


def init_app(app: Flask) -> None:
    """Mount /api/v1 and its OpenAPI document; set up CORS when origins are configured."""
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api.init_app(
        app,
        spec_kwargs={
            "title": "Marquee API",
            "version": VERSION,
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
        },
    )
    api.register_converter(
        IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme(
        auth.SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A personal access token (mq_…)"},
    )
    root = Blueprint("api", __name__, url_prefix=PREFIX)
    for area in AREAS:
        child = import_module(f".{area}", __name__).bp
        root.register_blueprint(child)
        api.spec.tag({"name": child.name, "description": child.description})
        # Flask-WTF checks the request's own (nested) blueprint; tokens are not cookies.
        csrf.exempt(child)
    root.before_request(auth.load_token)
    root.after_request(_finish)
    # First in the list, so it runs after every other after_request, Flask-Limiter's too.
    app.after_request_funcs.setdefault(None, []).insert(0, _rate_limit_headers)
    root.register_error_handler(NotFoundError, _not_found)
    root.register_error_handler(ForbiddenError, _forbidden)
    root.register_error_handler(ServiceError, _refused)
    limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(root)
    api.register_blueprint(root)
    origins = app.config["API_CORS_ORIGINS"]
    if origins:
        CORS(
            app,
            resources={f"{PREFIX}/*": {"origins": [o.strip() for o in origins.split(",")]}},
            expose_headers=list(EXPOSED_HEADERS),
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            supports_credentials=False,
            max_age=600,
        )


def _finish(response: Response) -> Response:
    """Cache policy and the language answered in."""
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store" if g.get("api_token") else "no-cache"
    response.vary.update(("Accept-Language", "Authorization"))
    if response.mimetype == "application/json":
        response.headers["Content-Language"] = i18n.current_locale()
    return response


LIMITER_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _rate_limit_headers(response: Response) -> Response:
    """The IETF RateLimit-* headers in place of Flask-Limiter's X-RateLimit-* on API answers.

    RateLimit-Reset counts seconds (Flask-Limiter sends a timestamp), and
    Retry-After is only sent when the request was refused.
    """
    if not is_api_request():
        return response
    for name in LIMITER_HEADERS:
        response.headers.pop(name, None)
    if response.status_code != 429 and response.status_code != 503:
        response.headers.pop("Retry-After", None)
    current = limiter.current_limit
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(current.remaining, 0))
        response.headers["RateLimit-Reset"] = str(max(current.reset_at - int(time.time()), 0))
        response.headers["RateLimit-Policy"] = (
            f"{current.limit.amount};w={current.limit.get_expiry()}"
        )
    return response


def _not_found(error: NotFoundError) -> Response:
    return problem("not-found", detail=error.message)


def _forbidden(error: ForbiddenError) -> Response:
    return problem("forbidden", detail=error.message)


def _refused(error: ServiceError) -> Response:
    """A service's refusal: a 422 naming the field when it names one."""
    errors = (
        [{"in": "json", "field": error.field, "detail": error.message}] if error.field else None
    )
    return problem("validation-failed", detail=error.message, errors=errors)


# OpenAPI links: what an answer lets a client (and schemathesis's stateful run) ask next.
LINKS = {
    ("add_to_my_diary", "201"): {
        "entry_id": ("get_my_diary_entry", "$response.body#/id"),
        "entry_id ": ("delete_my_diary_entry", "$response.body#/id"),
    },
    ("put_my_review", "200"): {
        "movie_id": ("get_my_review", "$request.path.movie_id"),
        "movie_id ": ("delete_my_review", "$request.path.movie_id"),
    },
    ("put_on_my_watchlist", "201"): {
        "movie_id": ("delete_from_my_watchlist", "$request.path.movie_id"),
    },
    ("start_import", "202"): {
        "import_id": ("get_import", "$response.body#/id"),
        "job_id": ("get_job", "$response.body#/job/id"),
    },
}


def _links(operation_id: str, status: str) -> dict[str, Any]:
    return {
        target: {"operationId": target, "parameters": {parameter.strip(): expression}}
        for parameter, (target, expression) in LINKS.get((operation_id, status), {}).items()
    }


def finished_document(spec: dict[str, Any]) -> dict[str, Any]:
    """The generated document, with what every operation may answer made explicit.

    Every operation can be rate limited (429) and every error is a problem;
    those needing a token say they answer 401 and 403.
    """
    spec = copy.deepcopy(spec)
    spec["tags"] = [tag for tag in spec.get("tags", []) if tag["name"] in AREAS]
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if links := _links(operation.get("operationId", ""), status):
                    response["links"] = links
            responses.setdefault("429", {"$ref": "#/components/responses/TOO_MANY_REQUESTS"})
            responses.setdefault("default", {"$ref": "#/components/responses/DEFAULT_ERROR"})
            if operation.get("security"):
                responses.setdefault("401", {"$ref": "#/components/responses/UNAUTHORIZED"})
                responses.setdefault("403", {"$ref": "#/components/responses/FORBIDDEN"})
            else:
                operation["security"] = [{}, {auth.SECURITY_SCHEME: []}]
    responses = spec["components"].setdefault("responses", {})
    for name, status in (("TOO_MANY_REQUESTS", 429), ("UNAUTHORIZED", 401), ("FORBIDDEN", 403)):
        responses.setdefault(
            name,
            {
                "description": http.HTTPStatus(status).phrase,
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            },
        )
    spec["x-problem-types"] = {slug: kind.type for slug, kind in PROBLEM_TYPES.items()}
    return spec

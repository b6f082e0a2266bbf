"""The JSON API at /api/v1: thin endpoints over the same services as the pages.

flask-smorest validates requests, dumps answers and writes the OpenAPI 3.1
document (document.py) from the schemas in schemas.py, so the document cannot
drift from the code. Errors are problem+json (infra/problems.py); catalog
reads carry the catalog revision's ETag (caching.py); every request is rate
limited per token, or per address without one (auth.py, headers.py); CORS is
off unless API_CORS_ORIGINS names origins.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask, Response
from flask_cors import CORS
from flask_smorest import Blueprint

from ..infra.limits import limiter
from ..infra.problems import problem
from ..infra.security import csrf
from ..routes.helpers import IdConverter
from ..services.errors import ForbiddenError, NotFoundError, ServiceError
from . import auth, headers
from .document import DESCRIPTION, SECURITY_SCHEME, MarqueeApi
from .schemas import MAX_ID

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

api = MarqueeApi()


def init_app(app: Flask) -> None:
    """Mount /api/v1 and its OpenAPI document; set up CORS when origins are configured."""
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    spec = {"title": "Marquee API", "version": VERSION, "openapi_version": "3.1.0"}
    api.init_app(app, spec_kwargs={**spec, "info": {"description": DESCRIPTION}})
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A personal access token (mq_…)"},
    )
    api.register_blueprint(_root())
    # First in the list, so it runs after every other after_request, Flask-Limiter's too.
    app.after_request_funcs.setdefault(None, []).insert(0, headers.last_word)
    if origins := app.config["API_CORS_ORIGINS"]:
        _allow_origins(app, [origin.strip() for origin in origins.split(",")])


def _root() -> Blueprint:
    """/api/v1 with every area under it, its token check, limit and error answers."""
    root = Blueprint("api", __name__, url_prefix=PREFIX)
    for area in AREAS:
        child = import_module(f".{area}", __name__).bp
        root.register_blueprint(child)
        api.spec.tag({"name": child.name, "description": child.description})
        # Flask-WTF checks the request's own (nested) blueprint; tokens are not cookies.
        csrf.exempt(child)
    root.before_request(auth.load_token)
    root.after_request(headers.finish)
    root.register_error_handler(NotFoundError, _not_found)
    root.register_error_handler(ForbiddenError, _forbidden)
    root.register_error_handler(ServiceError, _refused)
    limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(root)
    return root


def _allow_origins(app: Flask, origins: list[str]) -> None:
    """CORS for the API and its document: these origins, no credentials, our headers readable."""
    CORS(
        app,
        resources={f"{PREFIX}/*": {"origins": origins}},
        expose_headers=list(EXPOSED_HEADERS),
        allow_headers=["Authorization", "Content-Type", "If-None-Match"],
        supports_credentials=False,
        always_send=False,  # only to requests that name an origin
        vary_header=True,
        max_age=600,
    )


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

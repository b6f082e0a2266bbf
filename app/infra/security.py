"""CSRF protection and the security headers sent with every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Trust the configured proxies, turn on CSRF, refuse NUL bytes, add security headers."""
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        # Behind nginx or a load balancer every request comes from the proxy:
        # trust its X-Forwarded-For/-Proto so throttling sees the visitor.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    csrf.init_app(app)
    app.before_request(refuse_nul_bytes)
    policy = content_security_policy(app.config["TMDB_IMAGE_BASE_URL"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def refuse_nul_bytes() -> None:
    """A NUL byte is never meaningful input, and PostgreSQL text cannot hold one: 400."""
    values = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += request.form.values()
        values += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in value for value in values):
        abort(400)


def content_security_policy(image_base_url: str) -> str:
    """A policy with no inline script: scripts and styles come from our own origin."""
    parts = urlsplit(image_base_url)
    image_origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src 'self' data: {image_origin}".strip(),
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def same_site_path(url: str | None) -> str | None:
    """The path and query of a URL on this site (a Referer is absolute), else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if is_safe_redirect(path) else None


def is_safe_redirect(target: str | None) -> bool:
    """True for a same-site path such as '/movies?page=2'; False for other hosts."""
    if not target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False  # urlsplit drops tabs and newlines; a header must never get them
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )

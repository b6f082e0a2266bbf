"""CSRF protection and the security headers sent with every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Turn on CSRF for every form and add security headers to responses."""
    csrf.init_app(app)
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


def is_safe_redirect(target: str | None) -> bool:
    """True for a same-site path such as '/movies?page=2'; False for other hosts."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )

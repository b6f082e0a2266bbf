"""Throttling (Flask-Limiter): in memory per process, or shared in Redis with REDIS_URL."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="fixed-window")


def init_app(app: Flask) -> None:
    """Point the limiter at Redis when REDIS_URL is set, else at this process's memory."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # If Redis goes away, count in this process's memory until it is back,
    # rather than failing every throttled form with a 500.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)


def setting(name: str):
    """A limit read from the config at request time (so tests and operators can change it)."""
    return lambda: current_app.config[name]

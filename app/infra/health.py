"""What /healthz checks: the database, and Redis when one is configured."""

from __future__ import annotations

import redis
from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .db import db

TIMEOUT_SECONDS = 2.0


def check() -> dict[str, str]:
    """Each dependency with "ok" or a short reason it failed (never a secret or a traceback)."""
    results = {"database": _database()}
    if current_app.config.get("REDIS_URL"):
        results["redis"] = _redis(current_app)
    return results


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.remove()
        return f"unavailable ({error.__class__.__name__})"
    return "ok"


def _redis(app: Flask) -> str:
    url = app.config["REDIS_URL"]
    clients = app.extensions.setdefault("health_redis", {})
    client = clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        clients[url] = client
    try:
        client.ping()
    except redis.RedisError as error:
        return f"unavailable ({error.__class__.__name__})"
    return "ok"

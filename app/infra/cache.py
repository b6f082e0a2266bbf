"""Flask-Caching for expensive fragments that change rarely (language lists, genre counts).

SimpleCache (per process) by default; Redis when REDIS_URL is set, so every
app process shares it. Entries expire after CACHE_DEFAULT_TIMEOUT seconds,
which bounds how stale they get after a `flask seed load` in another process.
"""

from __future__ import annotations

from flask import Flask
from flask_caching import Cache

cache = Cache()


def init_app(app: Flask) -> None:
    """Configure the cache backend from the app config."""
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["CACHE_DEFAULT_TIMEOUT"]}
    if app.config.get("TESTING"):
        config.update(CACHE_TYPE="NullCache", CACHE_NO_NULL_WARNING=True)
    elif app.config.get("REDIS_URL"):
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=app.config["REDIS_URL"])
    else:
        config["CACHE_TYPE"] = "SimpleCache"
    cache.init_app(app, config=config)

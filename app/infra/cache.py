"""Flask-Caching for expensive fragments and anonymous visitors' pages.

SimpleCache (per process) by default; Redis when REDIS_URL is set, so every
app process shares it. Keys carry the catalog's revision (services/revisions),
so a load or a review in any process makes entries stale at once; they
expire after CACHE_DEFAULT_TIMEOUT (pages: PAGE_CACHE_TIMEOUT) seconds.
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
        # Each process keeps its own copies, whole pages among them (about 50 KB
        # each): a bound on their number is a bound on a worker's memory.
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=200)
    cache.init_app(app, config=config)

"""Fixtures of the seeder tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def tmdb_settings(tmdb_server):
    """Client settings pointing at the stand-in server, with quick retries."""
    from seeder.tmdb import ClientSettings
    from tests.seeder.tmdb_server import API_KEY

    return ClientSettings(
        api_key=API_KEY,
        base_url=tmdb_server.base_url,
        rate_limit=1000.0,
        timeout=2.0,
        max_retries=3,
        backoff_base=0.01,
        backoff_cap=0.05,
    )

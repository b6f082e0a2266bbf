"""The catalog revision and the fragments cached against it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_caching.backends import RedisCache, SimpleCache

from app.infra import cache as cache_setup
from app.models import Revision
from app.services import catalog, reviews, revisions
from tests.factories import make_genre, make_movie, make_user


def fresh_number() -> int:
    """The revision as a new request would read it."""
    from flask import g

    g.pop("catalog_revision", None)
    return revisions.current().number


def test_bump_moves_the_number_and_the_time(db):
    before = revisions.current()

    revisions.bump()
    revisions.bump()
    after = revisions.current()

    assert after.number == before.number + 2
    assert after.changed_at >= before.changed_at


def test_bump_creates_the_row_when_the_migration_did_not(db):
    db.session.query(Revision).delete()
    assert fresh_number() == 0

    revisions.bump()

    assert fresh_number() == 1


def test_the_revision_is_read_once_per_request(db):
    first = revisions.current()
    db.session.execute(Revision.__table__.update().values(number=first.number + 5))

    assert revisions.current() is first
    assert fresh_number() == first.number + 5


def test_cached_fragments_wait_for_the_next_revision(db, shared_cache):
    drama = make_genre("Drama")
    make_movie("Heat", genres=[drama])
    assert [(genre.name, genre.count) for genre in catalog.genres_with_counts()] == [("Drama", 1)]
    assert catalog.count() == 1

    make_movie("Ronin", genres=[drama])  # written without a bump: the cache still answers
    assert catalog.genres_with_counts()[0].count == 1
    assert catalog.count() == 1

    revisions.bump()

    assert catalog.genres_with_counts()[0].count == 2
    assert catalog.count() == 2


def test_home_rails_come_from_the_cache_until_the_catalog_changes(db, shared_cache):
    heat = make_movie("Heat", popularity=5.0)
    first = catalog.home_rails()
    assert first.popular == [heat]

    ronin = make_movie("Ronin", popularity=9.0)
    assert catalog.home_rails().popular == [heat]

    revisions.bump()

    assert catalog.home_rails().popular == [ronin, heat]
    assert catalog.home_rails().recently_added == [ronin, heat]


def test_a_review_refreshes_counts_by_members_rating(db, shared_cache):
    heat = make_movie("Heat")
    members_favourites = catalog.MovieFilters(sort="community", min_community=8)
    assert catalog.list_(members_favourites).total == 0

    reviews.upsert(
        user=make_user("ana"), movie=heat, rating=9, body=None, spoilers=False, recommends=None
    )

    assert catalog.list_(members_favourites).total == 1


@pytest.mark.parametrize("redis", [False, True])
def test_the_cache_is_shared_in_redis_when_configured(redis, redis_url):
    app = Flask("cache-check")
    app.config.update(CACHE_DEFAULT_TIMEOUT=60, REDIS_URL=redis_url if redis else None)

    cache_setup.init_app(app)

    backend = app.extensions["cache"][cache_setup.cache]
    assert isinstance(backend, RedisCache if redis else SimpleCache)

"""/healthz: the database, and Redis when one is configured."""

from __future__ import annotations


def health_with_redis(client, app, monkeypatch, redis_url: str):
    # Only the health check reads REDIS_URL per request; the session app keeps its cache.
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    return client.get("/healthz")


def test_healthy_with_redis_answering(client, app, monkeypatch, redis_url):
    response = health_with_redis(client, app, monkeypatch, redis_url)

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_a_lost_redis_makes_the_instance_unhealthy(client, app, monkeypatch):
    response = health_with_redis(client, app, monkeypatch, "redis://127.0.0.1:9/0")  # no one

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"] == {"database": "ok", "redis": "unavailable (ConnectionError)"}

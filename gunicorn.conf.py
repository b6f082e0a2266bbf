"""Gunicorn settings for `make serve` and production (docs/DEPLOY.md).

Every value can be overridden by an environment variable, so one file serves
a laptop and a 16-core machine: MARQUEE_BIND, WEB_CONCURRENCY (worker
processes), MARQUEE_THREADS (threads per worker), MARQUEE_TIMEOUT.
"""

import multiprocessing
import os

# A page spends part of its time waiting on the database, so a process per
# core plus one, each with a few threads, keeps the cores busy without the
# memory cost of one process per concurrent request.
_cores = multiprocessing.cpu_count()

wsgi_app = "flask_app:app"
bind = os.environ.get("MARQUEE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", _cores + 1))
worker_class = "gthread"
threads = int(os.environ.get("MARQUEE_THREADS", 4))
timeout = int(os.environ.get("MARQUEE_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5

# Recycle each worker after a few thousand requests (jittered so they do not
# all restart at once): bounds the memory any slow leak can take.
max_requests = int(os.environ.get("MARQUEE_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10

# Build the app once in the master, then fork: workers share its memory
# pages and a broken configuration stops the server at start, not per worker.
preload_app = True

# The app logs one line per request with its timing (app/infra/logs.py);
# gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("MARQUEE_GUNICORN_LOG_LEVEL", "info")

# gunicorn's run-time control socket lives in $HOME by default, which two
# instances on one machine would share; Marquee is controlled by systemd signals.
control_socket_disable = True

# Behind nginx on the same machine; TRUSTED_PROXY_COUNT tells the app itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """Each worker opens its own database connections: never share the master's."""
    from app.infra.db import db

    with worker.app.wsgi().app_context():
        db.engine.dispose(close=False)

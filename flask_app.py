"""Entry point for `flask` and WSGI servers: `gunicorn flask_app:app`."""

from app import create_app

app = create_app()

"""The site for the throughput benchmark (bench.throughput), plus a minimal baseline page.

    gunicorn --config gunicorn.conf.py bench.wsgi:app

The database and instance folder come from the environment (DATABASE_URL,
MARQUEE_INSTANCE_PATH), as for flask_app. Per-request logging and rate limits
are off: the benchmark measures the pages, not the log or the limiter.
"""

from flask import Blueprint, render_template

from app import create_app

baseline = Blueprint("bench", __name__, template_folder="templates")


@baseline.get("/bench/minimal")
def minimal():
    """The site's base template with no data: what any page costs before its own work."""
    return render_template("bench/minimal.jinja2")


app = create_app({"LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False})
app.register_blueprint(baseline)

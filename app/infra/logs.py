"""Logging: one readable line per record on stderr."""

from __future__ import annotations

import logging

from flask import Flask

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr at the configured level."""
    level = str(app.config["LOG_LEVEL"]).upper()
    if level not in logging.getLevelNamesMapping():
        level = "INFO"
        app.logger.warning("Unknown LOG_LEVEL %r; using INFO.", app.config["LOG_LEVEL"])
    app.logger.setLevel(level)
    for handler in app.logger.handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))

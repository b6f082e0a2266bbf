"""One area of the API: a flask-smorest blueprint whose name tags its operations in the spec."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint


class Area(Blueprint):
    """Nested under /api/v1, yet each operation is tagged with its own area, not "api"."""

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any):
        """Blueprint.route, tagging with the area's name unless told otherwise."""
        return super().route(rule, parameters=parameters, tags=tags or [self.name], **options)

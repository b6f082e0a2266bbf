"""One area of the API: a flask-smorest blueprint whose name tags its operations in the spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint


class Area(Blueprint):
    """Nested under /api/v1, yet each operation is tagged with its own area, not "api".

    Each operation's id is its view's name (`get_movie`), so links and
    generated clients have stable names.
    """

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any):
        """Blueprint.route, tagging with the area's name and naming the operation after the view."""
        register = super().route(rule, parameters=parameters, tags=tags or [self.name], **options)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            return register(Blueprint.doc(operationId=view.__name__)(view))

        return decorator

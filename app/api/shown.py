"""An entity with what a service added beside it, as one object a schema can dump."""

from __future__ import annotations

from typing import Any


class Shown:
    """The entity's own attributes, plus the extra ones given (credits, figures, …)."""

    def __init__(self, entity: Any, **extra: Any) -> None:
        self._entity = entity
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entity, name)

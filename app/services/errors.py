"""The one way services refuse: a `ServiceError` whose message is safe to show.

Each domain subclasses it (`AccountError`, `ReviewError`, …). A view turns
any of them into the form field's error, or a flash above the form, through
`routes.helpers.refused`. The two subclasses here say that the thing asked
for does not exist or is not the member's to touch; views answer those with
404 and 403.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An operation was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(ServiceError):
    """What the operation names does not exist (or is not visible to this member)."""


class ForbiddenError(ServiceError):
    """It exists, but this member may not do that to it."""

"""Helpers views share."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request

T = TypeVar("T")


def page_number() -> int:
    """The ?page= number: 1 when missing or not a number, 400 when below 1."""
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(400, description="The page number must be 1 or more.")
    return page


def or_404(found: T | None) -> T:
    """The object, or a 404 page when it is missing."""
    if found is None:
        abort(404)
    return found

"""Validators the forms share."""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError


class IntegerRange:
    """A whole number between two bounds.

    WTForms' NumberRange asks math.isnan() of the value, which raises
    OverflowError for an integer too large for a float ("9" * 400): a 500
    instead of a message. Integers are compared as they are here; a value
    that did not parse is left to the field's own error.
    """

    def __init__(self, minimum: int, maximum: int, message: str | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.message = message or f"Use a whole number from {minimum} to {maximum}."

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            return
        if not self.minimum <= field.data <= self.maximum:
            raise ValidationError(self.message)

"""Validators the forms share, and the Meta that translates WTForms' own messages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations
from wtforms.validators import ValidationError


class BabelMeta:
    """Meta for the plain Forms (GET filters, no CSRF): WTForms' own messages
    ("Not a valid integer value.") in the request's language, as FlaskForm has them.
    """

    def get_translations(self, form: Any) -> Any:
        return translations


class IntegerRange:
    """A whole number between two bounds.

    WTForms' NumberRange asks math.isnan() of the value, which raises
    OverflowError for an integer too large for a float ("9" * 400): a 500
    instead of a message. Integers are compared as they are here; a value
    that did not parse is left to the field's own error.
    """

    def __init__(self, minimum: int, maximum: int, message: str | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum
        if message is None:
            message = _l(
                "Use a whole number from %(minimum)s to %(maximum)s.",
                minimum=minimum,
                maximum=maximum,
            )
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            return
        if not self.minimum <= field.data <= self.maximum:
            raise ValidationError(self.message)

"""Forms for the watchlist and the watched diary."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from ..services import diary


class DayField(DateField):
    """A date whose error repeats what was typed, since the form is gone after the redirect."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse YYYY-MM-DD; an unreadable value names itself in the error."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            typed = " ".join(str(value) for value in valuelist)[:40]
            raise ValueError(
                _("“%(typed)s” is not a date: write it as YYYY-MM-DD.", typed=typed)
            ) from error


class WatchedForm(FlaskForm):
    """The day a movie was watched (today unless told), and whether to take it off the watchlist."""

    watched_on = DayField(
        _l("Watched on"),
        default=date.today,
        validators=[InputRequired(message=_l("Give the day you watched it."))],
    )
    remove_from_watchlist = BooleanField(_l("Remove it from my watchlist"))
    submit = SubmitField(_l("I watched it"))

    def validate_watched_on(self, field: DayField) -> None:
        """The diary's own rule: not in the future, not before films existed."""
        if field.data is None:
            return  # unreadable: process_formdata has said so
        try:
            diary.check_watched_on(field.data)
        except diary.DiaryError as error:
            raise ValidationError(error.message) from error

"""The rating and review form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..services.reviews import MAX_BODY_LENGTH
from .validators import IntegerRange

RECOMMEND_CHOICES = [
    SelectChoice("yes", _l("Yes")),
    SelectChoice("no", _l("No")),
    SelectChoice("", _l("Not saying")),
]


class ReviewForm(FlaskForm):
    """A 1–10 rating, and optionally a review, a spoiler flag and a recommendation."""

    rating = IntegerField(
        _l("Your rating (1–10)"),
        validators=[
            InputRequired(_l("Give a rating from 1 to 10.")),
            IntegerRange(1, 10, _l("Give a rating from 1 to 10.")),
        ],
        render_kw={"min": 1, "max": 10, "inputmode": "numeric"},
    )
    body = TextAreaField(
        _l("Your review (optional)"),
        # The length is checked by the service once line breaks are made alike:
        # a browser counts a line break as one character but sends two.
        validators=[Optional()],
        render_kw={"rows": 6, "maxlength": MAX_BODY_LENGTH},
    )
    spoilers = BooleanField(_l("It gives away the plot (hide it behind a click)"))
    recommends = RadioField(_l("Would you recommend it?"), choices=RECOMMEND_CHOICES, default="")
    submit = SubmitField(_l("Save"))

    def recommendation(self) -> bool | None:
        """Yes, no, or not said."""
        return {"yes": True, "no": False}.get(self.recommends.data or "")

    @classmethod
    def for_review(cls, review) -> ReviewForm:
        """A form filled in with a member's existing review."""
        recommends = {True: "yes", False: "no"}.get(review.recommends, "")
        return cls(
            rating=review.rating,
            body=review.body or "",
            spoilers=review.contains_spoilers,
            recommends=recommends,
        )

"""Forms of the import pages: the upload, and picking a film in the review queue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange


class ImportUploadForm(FlaskForm):
    """A Letterboxd export zip, or an IMDb (or Letterboxd) CSV."""

    export = FileField(
        _l("Your export"),
        validators=[FileRequired(_l("Choose the export file first."))],
        render_kw={"accept": ".zip,.csv,application/zip,text/csv"},
    )
    submit = SubmitField(_l("Import"))


class PickForm(FlaskForm):
    """The film a queued row means."""

    movie_id = IntegerField(
        _l("Film"),
        validators=[
            InputRequired(_l("Pick one of the films, or search for another.")),
            NumberRange(min=1, max=2**31 - 1),
        ],
    )
    submit = SubmitField(_l("This one"))

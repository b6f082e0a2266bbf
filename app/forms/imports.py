"""Forms of the import pages: the upload, and picking a film in the review queue."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange


class ImportUploadForm(FlaskForm):
    """A Letterboxd export zip, or an IMDb (or Letterboxd) CSV."""

    export = FileField(
        "Your export",
        validators=[FileRequired("Choose the export file first.")],
        render_kw={"accept": ".zip,.csv,application/zip,text/csv"},
    )
    submit = SubmitField("Import")


class PickForm(FlaskForm):
    """The film a queued row means."""

    movie_id = IntegerField(
        "Film",
        validators=[
            InputRequired("Pick one of the films, or search for another."),
            NumberRange(min=1, max=2**31 - 1),
        ],
    )
    submit = SubmitField("This one")

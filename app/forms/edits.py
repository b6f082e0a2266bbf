"""The editors' forms: a movie, a person, a genre, a crew job's description, credits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import CreditKind, Gender, Genre, Movie, Person
from ..services.edits.credits import MAX_ORDER, CreditChanges, NewCredit
from ..services.edits.fields import LINKS, MOVIE_FIELDS, PERSON_FIELDS
from ..services.people import DEPARTMENTS
from .labels import department_label
from .validators import IntegerRange

STATUSES = ("Rumored", "Planned", "In Production", "Post Production", "Released", "Canceled")
# TMDB's release statuses stay the choices' values; these are what the reader sees.
STATUS_LABELS = {
    "Rumored": _l("Rumored"),
    "Planned": _l("Planned"),
    "In Production": _l("In Production"),
    "Post Production": _l("Post Production"),
    "Released": _l("Released"),
    "Canceled": _l("Canceled"),
}
GENDER_LABELS = {
    Gender.unknown: _l("Not known"),
    Gender.female: _l("Female"),
    Gender.male: _l("Male"),
    Gender.non_binary: _l("Non-binary"),
}
IMAGE_PATH = Regexp(
    r"^/[A-Za-z0-9_-]{1,100}\.(?:jpg|jpeg|png|webp)$",
    message=_l("Use a TMDB image path such as /kqjL17yufvn9OVLyXYpvtyrFfak.jpg."),
)
TRAILER_KEY = Regexp(
    r"^[A-Za-z0-9_-]{11}$",
    message=_l("Use the 11 characters after watch?v= in the YouTube address."),
)
LANGUAGE = Regexp(r"^[a-z]{2,3}$", message=_l("Use a two- or three-letter code such as en or pt."))


def http_url(form: Any, field: Any) -> None:
    """Only http(s) addresses with a host: no javascript:, data: or relative links."""
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("Use a full web address starting with https:// or http://."))


class DayRange:
    """A date between two days (DateField has parsed it already)."""

    def __init__(self, first: date = date(1870, 1, 1), last: date = date(2100, 12, 31)) -> None:
        self.first, self.last = first, last

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not self.first <= field.data <= self.last:
            raise ValidationError(
                _(
                    "Use a date from %(first)s to %(last)s.",
                    first=self.first.year,
                    last=self.last.year,
                )
            )


def _text(value: str | None) -> str | None:
    """Stripped text with plain newlines (browsers send CRLF), or None when empty."""
    value = (value or "").replace("\r\n", "\n").strip()
    return value or None


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EditForm(FlaskForm):
    """What every edit form carries: the version it was opened at and a summary."""

    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    comment = StringField(
        _l("Summary of your change"),
        validators=[Optional(), Length(max=500)],
        description=_l("Optional: what you changed and where you checked it."),
    )
    submit = SubmitField(_l("Save"))

    def opened_at(self) -> int:
        """The entity's version when the form was opened."""
        return int(self.version.data)


class MovieEditForm(EditForm):
    """Every field of a movie an editor may change."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    original_title = StringField(_l("Original title"), validators=[Optional(), Length(max=300)])
    tagline = StringField(_l("Tagline"), validators=[Optional(), Length(max=500)])
    overview = TextAreaField(_l("Overview"), validators=[Optional(), Length(max=10_000)])
    release_date = DateField(_l("Release date"), validators=[Optional(), DayRange()])
    runtime = IntegerField(_l("Runtime (minutes)"), validators=[Optional(), IntegerRange(1, 2_000)])
    budget = IntegerField(_l("Budget (US$)"), validators=[Optional(), IntegerRange(0, 10**12)])
    revenue = IntegerField(_l("Revenue (US$)"), validators=[Optional(), IntegerRange(0, 10**12)])
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Not known")),
            *(SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES),
        ],
        validators=[Optional()],
    )
    certification = StringField(_l("Certification (US)"), validators=[Optional(), Length(max=16)])
    original_language = StringField(_l("Original language"), validators=[Optional(), LANGUAGE])
    homepage = StringField(_l("Homepage"), validators=[Optional(), Length(max=500), http_url])
    trailer_key = StringField(_l("YouTube trailer key"), validators=[Optional(), TRAILER_KEY])
    poster_path = StringField(_l("TMDB poster path"), validators=[Optional(), IMAGE_PATH])
    genres = CheckboxesField(_l("Genres"), choices=[], validators=[Optional()])
    keywords = StringField(
        _l("Keywords"),
        validators=[Optional(), Length(max=4_000)],
        description=_l("Separated by commas."),
    )

    def __init__(self, *args: Any, genres: list[Genre], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._genres = {str(genre.id): genre for genre in genres}
        self.genres.choices = [SelectChoice(key, genre.name) for key, genre in self._genres.items()]

    @classmethod
    def for_movie(cls, movie: Movie, *, genres: list[Genre]) -> MovieEditForm:
        """The form filled with the movie as it is now."""
        data = {name: getattr(movie, name) for name in SCALAR_MOVIE_FIELDS}
        data["genres"] = [str(genre.id) for genre in movie.genres]
        data["keywords"] = ", ".join(keyword.name for keyword in movie.keywords)
        return cls(data={**data, "version": str(movie.version)}, genres=genres)

    def values(self) -> dict[str, Any]:
        """The fields as the edit service takes them."""
        values: dict[str, Any] = {}
        for name in SCALAR_MOVIE_FIELDS:
            data = getattr(self, name).data
            values[name] = _text(data) if isinstance(data, str) or data is None else data
        values["genres"] = [
            self._genres[key] for key in self.genres.data or [] if key in self._genres
        ]
        values["keywords"] = [
            name for name in re.split(r"\s*,\s*", self.keywords.data or "") if name
        ]
        return values


SCALAR_MOVIE_FIELDS = tuple(field.name for field in MOVIE_FIELDS if field.kind != LINKS)


class NewMovieForm(MovieEditForm):
    """A movie entered by hand: the same fields, no version yet."""

    version = HiddenField(default="0")
    submit = SubmitField(_l("Add the movie"))


class PersonEditForm(EditForm):
    """Every field of a person an editor may change."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    biography = TextAreaField(_l("Biography"), validators=[Optional(), Length(max=20_000)])
    birthday = DateField(_l("Birthday"), validators=[Optional(), DayRange(first=date(1000, 1, 1))])
    deathday = DateField(_l("Died"), validators=[Optional(), DayRange(first=date(1000, 1, 1))])
    place_of_birth = StringField(_l("Place of birth"), validators=[Optional(), Length(max=300)])
    gender = SelectField(
        _l("Gender"),
        choices=[SelectChoice(gender.name, label) for gender, label in GENDER_LABELS.items()],
        default=Gender.unknown.name,
    )
    known_for_department = SelectField(
        _l("Known for"),
        choices=[
            SelectChoice("", _l("Not known")),
            *(SelectChoice(d, department_label(d)) for d in DEPARTMENTS),
        ],
        validators=[Optional()],
    )
    profile_path = StringField(_l("TMDB profile path"), validators=[Optional(), IMAGE_PATH])

    @classmethod
    def for_person(cls, person: Person) -> PersonEditForm:
        """The form filled with the person as they are now."""
        data = {name: getattr(person, name) for name in PERSON_FORM_FIELDS}
        data["gender"] = person.gender.name
        return cls(data={**data, "version": str(person.version)})

    def values(self) -> dict[str, Any]:
        """The fields as the edit service takes them."""
        values = {
            name: _text(data) if isinstance(data := getattr(self, name).data, str) else data
            for name in PERSON_FORM_FIELDS
        }
        values["gender"] = (
            Gender[self.gender.data] if self.gender.data in Gender.__members__ else Gender.unknown
        )
        return values


PERSON_FORM_FIELDS = tuple(field.name for field in PERSON_FIELDS)


class NewPersonForm(PersonEditForm):
    """A person entered by hand."""

    version = HiddenField(default="0")
    submit = SubmitField(_l("Add the person"))


# Descriptions are edited in the catalog's main language; other languages get theirs
# from `flask seed describe`.
MAIN_LANGUAGE_HINT = _l(
    "In the catalog's main language; the texts in its other languages are written for it."
)


class GenreEditForm(EditForm):
    """A genre's name and description."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5_000)],
        description=MAIN_LANGUAGE_HINT,
    )

    @classmethod
    def for_genre(cls, genre: Genre, *, description: str | None) -> GenreEditForm:
        """The form filled with the genre as it is now (its description in the main language)."""
        data = {"name": genre.name, "description": description, "version": str(genre.version)}
        return cls(data=data)

    def values(self) -> dict[str, Any]:
        """The fields as the edit service takes them."""
        return {"name": _text(self.name.data), "description": _text(self.description.data)}


class JobEditForm(EditForm):
    """A crew job's description."""

    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5_000)],
        description=MAIN_LANGUAGE_HINT,
    )

    def values(self) -> dict[str, Any]:
        """The description as the edit service takes it (None when empty)."""
        return {"description": _text(self.description.data)}


_ROW_ID = re.compile(r"[0-9]{1,9}")


class CreditListForm(EditForm):
    """The movie's credits as a table: each cast row's character and order, and removals.

    Rows are named by credit id (`character-<id>`, `order-<id>`, `remove`), so
    the fields are read from the request rather than declared.
    """

    submit = SubmitField(_l("Save the cast and crew"))

    def changes(
        self, data: Any, cast_ids: set[int], all_ids: set[int]
    ) -> tuple[CreditChanges, list[str]]:
        """What the posted table (`data`, the request's form) asks for, and its problems."""
        removed = {int(value) for value in data.getlist("remove") if _ROW_ID.fullmatch(value)}
        problems = []
        cast: dict[int, tuple[str | None, int | None]] = {}
        for credit_id in sorted(cast_ids - removed):
            character = _text(data.get(f"character-{credit_id}"))
            order_text = (data.get(f"order-{credit_id}") or "").strip()
            if character is not None and len(character) > 500:
                problems.append(_("A character's name is longer than 500 characters."))
            if order_text and not (_ROW_ID.fullmatch(order_text) and int(order_text) <= MAX_ORDER):
                problems.append(
                    _(
                        "Use a billing order from 0 to %(most)s, not %(typed)s.",
                        most=MAX_ORDER,
                        typed=repr(order_text),
                    )
                )
                continue
            cast[credit_id] = (character, int(order_text) if order_text else None)
        changes = CreditChanges(removed=removed & all_ids, cast=cast)
        return changes, sorted(set(problems))


class AddCreditForm(EditForm):
    """One credit to add: the person (picked, typed or new), and their part."""

    kind = SelectField(
        _l("Credit"),
        choices=[SelectChoice("cast", _l("Cast")), SelectChoice("crew", _l("Crew"))],
        default="cast",
    )
    person = StringField(_l("Person"), validators=[Optional(), Length(max=200)])
    person_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])
    new_person = BooleanField(_l("A new person: add them to the catalog"))
    character = StringField(_l("Character"), validators=[Optional(), Length(max=500)])
    order = IntegerField(_l("Billing order"), validators=[Optional(), IntegerRange(0, MAX_ORDER)])
    department = SelectField(
        _l("Department"),
        choices=[SelectChoice(d, department_label(d)) for d in DEPARTMENTS if d != "Acting"],
        default="Directing",
    )
    # No Optional(): it would stop validate_job from running on an empty job.
    job = StringField(_l("Job"), validators=[Length(max=100)])
    submit = SubmitField(_l("Add"))

    def validate_job(self, field: Any) -> None:
        """A crew credit needs a job."""
        if self.kind.data == "crew" and not _text(field.data):
            raise ValidationError(_("Name the job, such as Director or Editor."))

    def part(self, person: Person) -> NewCredit:
        """The credit to add for the person picked."""
        if self.kind.data == "crew":
            return NewCredit(
                person=person,
                kind=CreditKind.crew,
                department=self.department.data,
                job=_text(self.job.data),
            )
        return NewCredit(
            person=person,
            kind=CreditKind.cast,
            character=_text(self.character.data),
            order=self.order.data,
        )


class MergeForm(FlaskForm):
    """The page a duplicate merges into: picked by type-ahead, or its address or id pasted."""

    target = StringField(
        _l("Merge into"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Type its name and pick it, or paste its address (/movies/603-the-matrix)."),
    )
    target_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])
    comment = StringField(_l("Summary of your change"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Merge"))

    def target_number(self, kind: str) -> int | None:
        """The id of the page to merge into: the pick, else a pasted address or number."""
        if self.target_id.data:
            return int(self.target_id.data)
        # Only a number or an address: "Blade Runner 2" is a title, not page 2.
        pasted = re.fullmatch(
            rf"\s*(?:(?:https?://[^/\s]+)?/{kind}/)?(\d{{1,9}})(?:-\S*)?/?\s*",
            self.target.data or "",
            re.ASCII,
        )
        return int(pasted.group(1)) if pasted else None


class ConfirmForm(FlaskForm):
    """A POST-only confirmation with an optional reason."""

    comment = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=500)])
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])
    submit = SubmitField(_l("Confirm"))

    def opened_at(self) -> int:
        """The version the page was shown at (0 when not sent)."""
        return int(self.version.data or 0)

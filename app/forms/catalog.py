"""Filter forms for the catalog lists: read from the query string, never trusted."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FloatField, Form, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp

from ..services.catalog import SORTS, MovieFilters
from ..services.paging import PAGE_SIZES
from ..services.people import DEPARTMENTS
from ..services.search import MAX_QUERY_LENGTH, Query
from .labels import department_label
from .validators import BabelMeta, IntegerRange

SORT_LABELS = {
    "popularity": _l("Popularity"),
    "rating": _l("TMDB rating"),
    "community": _l("Members' rating"),
    "release_date": _l("Release date"),
    "title": _l("Title"),
    "runtime": _l("Runtime"),
}
# "1990s": the decade's first year, then the English plural's "s".
DECADES = [
    SelectChoice(str(year), _l("%(year)ss", year=str(year))) for year in range(2020, 1890, -10)
]


class MovieFilterForm(Form):
    """Genres, years or decade, minimum rating, runtime, language, sort and page size.

    A plain WTForms Form: it filters a GET list, so it carries no CSRF token.
    """

    Meta = BabelMeta
    # Checked slug by slug in filters(), so one unknown genre drops only itself.
    genre = SelectMultipleField(_l("Genres"), choices=[], validate_choice=False)
    decade = SelectField(
        _l("Decade"),
        choices=[SelectChoice("", _l("Any decade")), *DECADES],
        validators=[Optional()],
    )
    year_from = IntegerField(_l("From year"), validators=[Optional(), IntegerRange(1870, 2100)])
    year_to = IntegerField(_l("To year"), validators=[Optional(), IntegerRange(1870, 2100)])
    min_rating = FloatField(_l("Minimum TMDB rating"), validators=[Optional(), NumberRange(0, 10)])
    min_community = FloatField(
        _l("Minimum members' rating"), validators=[Optional(), NumberRange(1, 10)]
    )
    runtime_min = IntegerField(
        _l("Runtime from (min)"), validators=[Optional(), IntegerRange(0, 1000)]
    )
    runtime_max = IntegerField(
        _l("Runtime to (min)"), validators=[Optional(), IntegerRange(0, 1000)]
    )
    language = StringField(
        _l("Original language"),
        validators=[
            Optional(),
            Regexp(r"^[a-z]{2,3}$", message=_l("Use a language code such as en or ja.")),
        ],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[SelectChoice(value, label) for value, label in SORT_LABELS.items()],
        default="popularity",
    )
    order = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("", _l("Default")),
            SelectChoice("desc", _l("Descending")),
            SelectChoice("asc", _l("Ascending")),
        ],
        default="",
    )
    per_page = SelectField(
        _l("Per page"), choices=[SelectChoice(str(size)) for size in PAGE_SIZES], default="24"
    )

    def __init__(self, formdata: Any, *, genre_choices: list[tuple[str, str]]) -> None:
        super().__init__(formdata)
        self.genre.choices = [SelectChoice(slug, name) for slug, name in genre_choices]

    def filters(self) -> tuple[MovieFilters, int, list[str]]:
        """The valid filters, the page size, and a notice for each value ignored."""
        self.validate()
        notices = [
            _("Ignored %(field)s: %(problem)s", field=str(field.label.text).lower(), problem=error)
            for field in self
            for error in field.errors[:1]
        ]

        def valid(name: str) -> Any:
            field = self[name]
            blank = field.data is None or (isinstance(field.data, str) and not field.data.strip())
            # Optional() stops a blank value before the choices are checked.
            return None if field.errors or blank else field.data

        known = {choice.value for choice in self.genre.choices}
        genres = tuple(dict.fromkeys(valid("genre") or ()))
        notices += [
            _("Ignored genre “%(slug)s”: not one we know.", slug=slug)
            for slug in genres
            if slug not in known
        ]
        year_from, year_to = valid("year_from"), valid("year_to")
        if valid("decade") and year_from is None and year_to is None:
            year_from = int(valid("decade"))
            year_to = year_from + 9
        if year_from is not None and year_to is not None and year_from > year_to:
            notices.append(_("Swapped the years: the first was after the second."))
            year_from, year_to = year_to, year_from
        sort = valid("sort") if valid("sort") in SORTS else "popularity"
        filters = MovieFilters(
            genres=tuple(slug for slug in genres if slug in known),
            year_from=year_from,
            year_to=year_to,
            min_rating=valid("min_rating"),
            min_community=valid("min_community"),
            runtime_min=valid("runtime_min"),
            runtime_max=valid("runtime_max"),
            language=valid("language"),
            sort=sort,
            order=valid("order"),
        )
        per_page = int(valid("per_page") or 24)
        return filters, per_page, notices


class PeopleFilterForm(Form):
    """A name to look for and a department, from the query string (no CSRF: a GET list)."""

    Meta = BabelMeta
    q = StringField(_l("Name"))
    department = SelectField(
        _l("Department"),
        choices=[
            SelectChoice("", _l("Any department")),
            *(SelectChoice(name, department_label(name)) for name in DEPARTMENTS),
        ],
        validators=[Optional()],
    )

    def filters(self) -> tuple[Query, str | None, list[str]]:
        """The name asked for, the department (None for any) and a notice for each value ignored."""
        self.validate()
        query = Query.parse(self.q.data)
        notices = []
        if query.trimmed:
            notices.append(
                _(
                    "Your search was cut to %(limit)s characters.",
                    limit=format_decimal(MAX_QUERY_LENGTH),
                )
            )
        if self.department.errors:
            notices.append(
                _(
                    "Ignored department %(name)s: not one we know.",
                    name=repr(self.department.data),
                )
            )
            return query, None, notices
        return query, self.department.data or None, notices

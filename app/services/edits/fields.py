"""The fields an editor may change, and how each is kept in the history as JSON.

History rows, field locks and the loader's upstream values all hold a field's
value in the same JSON form (`dump`), so a value read from any of them can be
compared with the entity's current one and written back (`load`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...models import EntityType, Gender
from ..numbers import format_decimal

TEXT, DATE, NUMBER, GENDER, LINKS, CREDITS = "text", "date", "number", "gender", "links", "credits"


@dataclass(frozen=True)
class Field:
    """One editable field: its attribute, its label on pages, and its kind of value."""

    name: str
    label: str
    kind: str = TEXT
    # Long texts get a word diff; short ones show old → new.
    long: bool = False


MOVIE_FIELDS = (
    Field("title", _l("Title")),
    Field("original_title", _l("Original title")),
    Field("tagline", _l("Tagline")),
    Field("overview", _l("Overview"), long=True),
    Field("release_date", _l("Release date"), DATE),
    Field("runtime", _l("Runtime (minutes)"), NUMBER),
    Field("budget", _l("Budget (US$)"), NUMBER),
    Field("revenue", _l("Revenue (US$)"), NUMBER),
    Field("status", _l("Status")),
    Field("certification", _l("Certification")),
    Field("original_language", _l("Original language")),
    Field("homepage", _l("Homepage")),
    Field("trailer_key", _l("YouTube trailer key")),
    Field("poster_path", _l("TMDB poster path")),
    Field("genres", _l("Genres"), LINKS),
    Field("keywords", _l("Keywords"), LINKS),
)
PERSON_FIELDS = (
    Field("name", _l("Name")),
    Field("biography", _l("Biography"), long=True),
    Field("birthday", _l("Birthday"), DATE),
    Field("deathday", _l("Died"), DATE),
    Field("place_of_birth", _l("Place of birth")),
    Field("gender", _l("Gender"), GENDER),
    Field("known_for_department", _l("Known for")),
    Field("profile_path", _l("TMDB profile path")),
)
GENRE_FIELDS = (Field("name", _l("Name")), Field("description", _l("Description"), long=True))
JOB_FIELDS = (Field("description", _l("Description"), long=True),)
# A movie's cast and crew, locked and recorded as one list.
CREDITS_FIELD = Field("credits", _l("Cast and crew"), CREDITS)

FIELDS = {
    EntityType.movie: {field.name: field for field in (*MOVIE_FIELDS, CREDITS_FIELD)},
    EntityType.person: {field.name: field for field in PERSON_FIELDS},
    EntityType.genre: {field.name: field for field in GENRE_FIELDS},
    EntityType.job: {field.name: field for field in JOB_FIELDS},
}
# What a credit change row shows of a credit, and `credit` is the row's field name.
CREDIT = "credit"
MERGE = "merge"
# The rows of merges, deletes and hiding: what happened to the page, not one of its fields.
EVENT_FIELDS = {
    "merged": Field("merged", _l("Merged in"), MERGE),
    "moved": Field("moved", _l("Moved over"), MERGE),
    "dropped": Field("dropped", _l("Left out (a member had both)"), MERGE),
    "deleted": Field("deleted", _l("Deleted"), MERGE),
    "hidden": Field("hidden", _l("Hidden"), MERGE),
}


def field_of(entity_type: EntityType, name: str) -> Field:
    """The field called `name` of this kind of entity (a credit row counts as the credit list)."""
    if name == CREDIT:
        return CREDITS_FIELD
    return FIELDS[entity_type].get(name) or EVENT_FIELDS.get(name) or Field(name, name)


def links(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Genres or keywords as JSON, in one order (by id) wherever they were read from.

    Names sort differently in Python and in each database's collation, so
    lists are compared, stored and locked by id; pages sort them by name.
    """
    return sorted(items or [], key=lambda item: item["id"])


def dump(value: Any) -> Any:
    """A field's value as JSON: dates as ISO text, enums by name, lists of models as id and name."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if hasattr(value, "id") and hasattr(value, "name"):
        return {"id": value.id, "name": value.name}
    return value


def load(field: Field, value: Any) -> Any:
    """A JSON value back in the model's form (links and credits stay JSON)."""
    if value is None:
        return None
    if field.kind == DATE:
        return date.fromisoformat(value)
    if field.kind == GENDER:
        return Gender[value]
    return value


def shown(field: Field, value: Any) -> str:
    """A JSON value as the history shows it."""
    if field.kind == MERGE:
        return _event(field.name, value)
    if value is None or value == "" or value == []:
        return "—"
    if field.kind == LINKS:
        return ", ".join(sorted((item["name"] for item in value), key=str.casefold))
    if field.kind == GENDER:
        return _gender(value)
    if field.kind == NUMBER:
        return format_decimal(value)
    if isinstance(value, dict):
        return credit_line(value)
    return str(value)


def _event(name: str, value: Any) -> str:
    """A merge's, delete's or hide's row in words."""
    if not value or (name == "merged" and "row" not in value):
        return "—"
    if name == "hidden":
        return _("hidden") if value else _("shown")
    if name in ("merged", "deleted"):
        row = value.get("row", value)
        if "id" not in row:
            return "—"
        label = row.get("title") or row.get("name") or value.get("label") or ""
        return f"{label} (#{row['id']})".strip()
    counts = {kind: len(rows) for kind, rows in value.items() if rows}
    if not counts:
        return _("nothing")
    return ", ".join(counted_rows(kind, number) for kind, number in counts.items())


def counted_rows(kind: str, number: int) -> str:
    """'3 reviews', '1 diary entry': how many rows of a kind a merge or a delete concerns."""
    count = format_decimal(number)
    if kind == "credits":
        return ngettext("%(count)s credit", "%(count)s credits", number, count=count)
    if kind == "reviews":
        return ngettext("%(count)s review", "%(count)s reviews", number, count=count)
    if kind == "watchlist":
        return ngettext(
            "%(count)s watchlist entry", "%(count)s watchlist entries", number, count=count
        )
    if kind == "diary":
        return ngettext("%(count)s diary entry", "%(count)s diary entries", number, count=count)
    if kind == "movies":
        return ngettext("%(count)s movie", "%(count)s movies", number, count=count)
    return f"{count} {kind}"


def _gender(value: str) -> str:
    """A gender's name (the JSON form, "non_binary") as the history shows it."""
    names = {
        "unknown": _("unknown"),
        "female": _("female"),
        "male": _("male"),
        "non_binary": _("non binary"),
    }
    return names.get(value, value.replace("_", " "))


def credit_line(credit: dict[str, Any]) -> str:
    """'Ana Silva as Maria (#3)' or 'Ana Silva, Director (Directing)'."""
    if credit.get("kind") == "cast":
        name, character, order = credit["person_name"], credit.get("character"), credit.get("order")
        if character and order is not None:
            return _(
                "%(name)s as %(character)s (#%(order)s)",
                name=name,
                character=character,
                order=order,
            )
        if character:
            return _("%(name)s as %(character)s", name=name, character=character)
        return f"{name} (#{order})" if order is not None else name
    job = f", {credit['job']}" if credit.get("job") else ""
    department = f" ({credit['department']})" if credit.get("department") else ""
    return f"{credit['person_name']}{job}{department}"

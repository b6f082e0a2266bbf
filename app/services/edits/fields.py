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

from ...models import EntityType, Gender

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
    Field("title", "Title"),
    Field("original_title", "Original title"),
    Field("tagline", "Tagline"),
    Field("overview", "Overview", long=True),
    Field("release_date", "Release date", DATE),
    Field("runtime", "Runtime (minutes)", NUMBER),
    Field("budget", "Budget (US$)", NUMBER),
    Field("revenue", "Revenue (US$)", NUMBER),
    Field("status", "Status"),
    Field("certification", "Certification"),
    Field("original_language", "Original language"),
    Field("homepage", "Homepage"),
    Field("trailer_key", "YouTube trailer key"),
    Field("poster_path", "TMDB poster path"),
    Field("genres", "Genres", LINKS),
    Field("keywords", "Keywords", LINKS),
)
PERSON_FIELDS = (
    Field("name", "Name"),
    Field("biography", "Biography", long=True),
    Field("birthday", "Birthday", DATE),
    Field("deathday", "Died", DATE),
    Field("place_of_birth", "Place of birth"),
    Field("gender", "Gender", GENDER),
    Field("known_for_department", "Known for"),
    Field("profile_path", "TMDB profile path"),
)
GENRE_FIELDS = (Field("name", "Name"), Field("description", "Description", long=True))
JOB_FIELDS = (Field("description", "Description", long=True),)
# A movie's cast and crew, locked and recorded as one list.
CREDITS_FIELD = Field("credits", "Cast and crew", CREDITS)

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
    "merged": Field("merged", "Merged in", MERGE),
    "moved": Field("moved", "Moved over", MERGE),
    "dropped": Field("dropped", "Left out (a member had both)", MERGE),
    "deleted": Field("deleted", "Deleted", MERGE),
    "hidden": Field("hidden", "Hidden", MERGE),
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
        return value.replace("_", " ")
    if field.kind == NUMBER:
        return f"{value:,}"
    if isinstance(value, dict):
        return credit_line(value)
    return str(value)


def _event(name: str, value: Any) -> str:
    """A merge's, delete's or hide's row in words."""
    if not value or (name == "merged" and "row" not in value):
        return "—"
    if name == "hidden":
        return "hidden" if value else "shown"
    if name in ("merged", "deleted"):
        row = value.get("row", value)
        if "id" not in row:
            return "—"
        label = row.get("title") or row.get("name") or value.get("label") or ""
        return f"{label} (#{row['id']})".strip()
    counts = {kind: len(rows) for kind, rows in value.items() if rows}
    if not counts:
        return "nothing"
    words = {"credits": "credit", "reviews": "review", "watchlist": "watchlist entry"}
    words["diary"] = "diary entry"
    return ", ".join(
        f"{number} {words.get(kind, kind)}{'' if number == 1 else 's'}".replace("entrys", "entries")
        for kind, number in counts.items()
    )


def credit_line(credit: dict[str, Any]) -> str:
    """'Ana Silva as Maria (#3)' or 'Ana Silva, Director (Directing)'."""
    if credit.get("kind") == "cast":
        part = f" as {credit['character']}" if credit.get("character") else ""
        order = f" (#{credit['order']})" if credit.get("order") is not None else ""
        return f"{credit['person_name']}{part}{order}"
    job = f", {credit['job']}" if credit.get("job") else ""
    department = f" ({credit['department']})" if credit.get("department") else ""
    return f"{credit['person_name']}{job}{department}"

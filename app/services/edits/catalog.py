"""Editing movies, people, genres and crew-job descriptions by hand, with history and locks.

Every save goes the same way: only editors; the version the form was opened
at must still be current (else `StaleEditError`, with what changed
meanwhile); each changed field is written, locked and recorded in one edit;
the search index, the catalog's revision and with it every cached page and
fragment move in the same transaction. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...infra import i18n
from ...infra.db import db
from ...models import (
    Credit,
    Edit,
    EditAction,
    EntityType,
    FieldLock,
    GeneratedText,
    Genre,
    Keyword,
    Movie,
    Person,
    Role,
    TextSource,
    User,
)
from ...models.slugs import slugify
from .. import revisions, roles, search
from ..errors import NotFoundError, ServiceError
from . import history, locks
from .fields import FIELDS, LINKS, Field, dump, field_of, links, load, shown
from .history import Change

Editable = Movie | Person | Genre | str


class EditError(ServiceError):
    """An edit was refused: a value breaks a rule of the catalog."""


class StaleEditError(EditError):
    """Someone saved the same entity after the form was opened; `edits` says what they changed."""

    def __init__(self, message: str, *, edits: list[Edit], version: int) -> None:
        super().__init__(message)
        self.edits = edits
        self.version = version


def current_values(entity: Editable) -> dict[str, Any]:
    """Every editable field of the entity, as the history stores it (JSON)."""
    entity_type = history.entity_type_of(entity)
    if isinstance(entity, str):
        text = _job_text(entity)
        return {"description": text.body if text else None}
    values = {
        name: links(dump(getattr(entity, name)))
        if field.kind == LINKS
        else dump(getattr(entity, name))
        for name, field in FIELDS[entity_type].items()
        if name not in ("credits", "description")
    }
    if isinstance(entity, Genre):
        text = _genre_text(entity)
        values["description"] = text.body if text else None
    return values


def version_of(entity: Editable) -> int:
    """The version a form is opened at; a crew job counts its edits."""
    if isinstance(entity, str):
        return _job_edit_count(entity)
    return entity.version


def update_movie(
    *, movie: Movie, editor: User, values: dict[str, Any], version: int, comment: str | None = None
) -> Edit | None:
    """Save an editor's changes to a movie; None when nothing changed."""
    roles.require(editor, Role.editor)
    if "keywords" in values:
        values = {**values, "keywords": keywords_named(values["keywords"])}
    if "genres" in values:
        values = {**values, "genres": sorted(values["genres"], key=lambda genre: genre.name)}
    return save_fields(movie, editor=editor, values=values, version=version, comment=comment)


def update_person(
    *,
    person: Person,
    editor: User,
    values: dict[str, Any],
    version: int,
    comment: str | None = None,
) -> Edit | None:
    """Save an editor's changes to a person; None when nothing changed."""
    roles.require(editor, Role.editor)
    birthday = values.get("birthday", person.birthday)
    deathday = values.get("deathday", person.deathday)
    if birthday and deathday and deathday < birthday:
        raise EditError(_("The day they died comes before their birthday."), field="deathday")
    return save_fields(person, editor=editor, values=values, version=version, comment=comment)


def update_genre(
    *, genre: Genre, editor: User, values: dict[str, Any], version: int, comment: str | None = None
) -> Edit | None:
    """Save a genre's name or description; the slug follows the name."""
    roles.require(editor, Role.editor)
    _check_genre_name(genre, values.get("name", genre.name))
    return save_fields(genre, editor=editor, values=values, version=version, comment=comment)


def update_job(
    *, job: str, editor: User, values: dict[str, Any], version: int, comment: str | None = None
) -> Edit | None:
    """Save the description of a crew job ("Director", "Gaffer")."""
    roles.require(editor, Role.editor)
    if not _job_is_credited(job):
        raise NotFoundError(_("No credit in the catalog has the job %(job)s.", job=job))
    values = {"description": values.get("description")}
    return save_fields(job, editor=editor, values=values, version=version, comment=comment)


def create_movie(*, editor: User, values: dict[str, Any], comment: str | None = None) -> Movie:
    """A movie entered by hand (it has no TMDB id, so no load ever touches it)."""
    roles.require(editor, Role.editor)
    keywords = keywords_named(values.get("keywords", []))
    genres = sorted(values.get("genres", []), key=lambda genre: genre.name)
    scalars = {name: value for name, value in values.items() if name not in ("genres", "keywords")}
    movie = Movie(**scalars, genres=genres, keywords=keywords)
    db.session.add(movie)
    db.session.flush()
    _record_creation(movie, editor, comment)
    return movie


def create_person(*, editor: User, values: dict[str, Any], comment: str | None = None) -> Person:
    """A person entered by hand, for a credit TMDB does not have."""
    roles.require(editor, Role.editor)
    person = Person(**values)
    db.session.add(person)
    db.session.flush()
    _record_creation(person, editor, comment)
    return person


def unlock_field(*, entity: Movie | Person | Genre, field: str, editor: User) -> Edit:
    """Let a locked field follow TMDB again: the next load writes upstream's value into it."""
    roles.require(editor, Role.editor)
    entity_type = history.entity_type_of(entity)
    held = locks.of(entity_type, entity.id)
    if locks.unlock(held, field) is None:
        raise EditError(_("That field follows TMDB already."))
    value = current_values(entity).get(field) if field != "credits" else None
    edit = history.record(
        editor=editor,
        entity=entity,
        action=EditAction.unlock,
        changes=[Change(field, value, value)],
    )
    revisions.bump()
    return edit


def accept_upstream(
    *, entity: Movie | Person | Genre, field: str, editor: User, version: int
) -> Edit:
    """Take the value TMDB now has for a locked field, and follow TMDB again from then on."""
    roles.require(editor, Role.editor)
    entity_type = history.entity_type_of(entity)
    held = locks.of(entity_type, entity.id)
    lock = held.get(field)
    if lock is None or lock.upstream_seen_at is None:
        raise EditError(_("TMDB's value for that field is not known yet: run a load first."))
    if field == "credits":
        raise EditError(_("TMDB's cast and crew are taken with services.edits.credits."))
    before = current_values(entity).get(field)
    claim_version(entity, version)
    _write(entity, field, from_json(entity_type, field, lock.upstream_value), editor)
    locks.unlock(held, field)
    db.session.flush()
    edit = history.record(
        editor=editor,
        entity=entity,
        action=EditAction.accept,
        changes=[Change(field, before, lock.upstream_value)],
    )
    moved(entity)
    return edit


def from_json(entity_type: EntityType, field: str, value: Any) -> Any:
    """A JSON value (history, upstream) as a save takes it: genres and keywords as rows."""
    if field in ("genres", "keywords"):
        model = Genre if field == "genres" else Keyword
        ids = [item["id"] for item in value or []]
        rows = db.session.scalars(select(model).where(model.id.in_(ids))) if ids else []
        return sorted(rows, key=lambda row: row.name.casefold())
    if field == "description":
        return value
    return load(FIELDS[entity_type][field], value)


def locked_fields_report() -> tuple[int, int]:
    """How many fields are locked, and how many of those TMDB now says otherwise."""
    held = list(db.session.scalars(select(FieldLock)))
    differing = 0
    models = {EntityType.movie: Movie, EntityType.person: Person, EntityType.genre: Genre}
    for entity_type, model in models.items():
        of_type = [lock for lock in held if lock.entity_type is entity_type]
        entities = {
            entity.id: entity
            for entity in db.session.scalars(
                select(model).where(model.id.in_({lock.entity_id for lock in of_type}))
            )
        }
        for lock in of_type:
            entity = entities.get(lock.entity_id)
            if entity is None or lock.upstream_seen_at is None:
                continue
            if lock.field == "credits":
                differing += credit_signature(lock.upstream_value) != credit_signature(
                    credit_list(entity)
                )
            else:
                differing += locks.differs(lock, current_values(entity).get(lock.field))
    return len(held), differing


def credit_list(movie: Movie) -> list[dict[str, Any]]:
    """A movie's cast (in billing order) then crew, as the history keeps credits."""
    credits = db.session.scalars(
        select(Credit)
        .where(Credit.movie_id == movie.id)
        .options(selectinload(Credit.person))
        .order_by(Credit.kind, Credit.cast_order, Credit.department, Credit.job, Credit.id)
    )
    return [credit_value(credit) for credit in credits]


def credit_value(credit: Credit) -> dict[str, Any]:
    """One credit as JSON: its ids (ours, TMDB's), the person by id and name, and its part."""
    return {
        "id": credit.id,
        "tmdb_credit_id": credit.tmdb_credit_id,
        "person_id": credit.person_id,
        "person_name": credit.person.name,
        "kind": credit.kind.value,
        "character": credit.character,
        "order": credit.cast_order,
        "department": credit.department,
        "job": credit.job,
    }


def credit_signature(credits: list[dict[str, Any]] | None) -> list[tuple[Any, ...]]:
    """What two credit lists are compared by, whichever side (ours, TMDB's) they come from."""
    parts = ("person_name", "kind", "character", "order", "department", "job")
    return sorted(
        (tuple("" if credit.get(part) is None else str(credit.get(part)) for part in parts))
        for credit in credits or []
    )


@dataclass(frozen=True)
class LockNote:
    """What an edit page says beside a locked field."""

    field: str
    locked_by: str | None
    upstream: str | None  # TMDB's value as text, once a load has seen it
    differs: bool


def lock_notes(entity: Movie | Person | Genre) -> dict[str, LockNote]:
    """The entity's locked fields, with who locked them and what TMDB now says."""
    entity_type = history.entity_type_of(entity)
    current = current_values(entity)
    notes = {}
    for name, lock in locks.of(entity_type, entity.id).items():
        seen = lock.upstream_seen_at is not None
        if name == "credits":
            differs = seen and credit_signature(lock.upstream_value) != credit_signature(
                credit_list(entity)
            )
            count = len(lock.upstream_value or [])
            upstream = (
                ngettext("%(count)s credit", "%(count)s credits", count, count=count)
                if seen
                else None
            )
        else:
            differs = locks.differs(lock, current.get(name))
            upstream = shown(field_of(entity_type, name), lock.upstream_value) if seen else None
        notes[name] = LockNote(
            field=name,
            locked_by=lock.locked_by.username if lock.locked_by else None,
            upstream=upstream,
            differs=differs,
        )
    return notes


def _record_creation(entity: Movie | Person, editor: User, comment: str | None) -> None:
    changes = [
        Change(name, None, value, was_locked=False)
        for name, value in current_values(entity).items()
        if value not in (None, "", [], "unknown")
    ]
    history.record(
        editor=editor, entity=entity, action=EditAction.create, changes=changes, comment=comment
    )
    moved(entity)


def keywords_named(names: Iterable[str | Keyword]) -> list[Keyword]:
    """Keywords by name (any case), adding the ones the catalog lacks; sorted by name."""
    wanted: dict[str, str] = {}
    found: list[Keyword] = []
    for item in names:
        if isinstance(item, Keyword):
            found.append(item)
        elif item.strip():
            wanted.setdefault(item.strip().casefold(), item.strip()[:200])
    if wanted:
        names_sent = list(wanted.values())
        candidates = db.session.scalars(
            select(Keyword).where(
                func.lower(Keyword.name).in_([name.lower() for name in names_sent])
                | Keyword.name.in_(names_sent)
            )
        )
        # Matched in Python: SQL's lower() leaves non-ASCII capitals alone on SQLite.
        known = {keyword.name.casefold(): keyword for keyword in candidates}
        for key, name in wanted.items():
            keyword = known.get(key)
            if keyword is None:
                keyword = Keyword(name=name)
                db.session.add(keyword)
                known[key] = keyword
            found.append(keyword)
        db.session.flush()
    unique = {keyword.id: keyword for keyword in found}
    return sorted(unique.values(), key=lambda keyword: (keyword.name.casefold(), keyword.id))


def save_fields(
    entity: Editable,
    *,
    editor: User,
    values: dict[str, Any],
    version: int,
    comment: str | None,
    action: EditAction = EditAction.update,
    reverts: Edit | None = None,
    unlock: frozenset[str] = frozenset(),
) -> Edit | None:
    """Write, lock and record the fields whose value changed.

    Fields named in `unlock` follow TMDB again instead of being locked: a
    revert of the edit that first locked them gives them back to TMDB.
    """
    before = current_values(entity)
    kinds = FIELDS[history.entity_type_of(entity)]
    wanted = {
        name: links(dump(value)) if kinds[name].kind == LINKS else dump(value)
        for name, value in values.items()
    }
    changed = {
        name: new for name, new in wanted.items() if not _same(kinds[name], before.get(name), new)
    }
    if not changed:
        return None
    claim_version(entity, version)
    entity_type = history.entity_type_of(entity)
    held = {} if isinstance(entity, str) else locks.of(entity_type, entity.id)
    changes = []
    for name, new in changed.items():
        _write(entity, name, values[name], editor)
        was_locked = name in held or isinstance(entity, str)
        if name in unlock:
            locks.unlock(held, name)
        elif not isinstance(entity, str):
            locks.lock(held, entity_type=entity_type, entity_id=entity.id, field=name, by=editor)
        changes.append(Change(name, before.get(name), new, was_locked=was_locked))
    db.session.flush()
    edit = history.record(
        editor=editor,
        entity=entity,
        action=action,
        changes=changes,
        comment=comment,
        reverts=reverts,
    )
    moved(entity)
    return edit


def _same(field: Field, stored: Any, sent: Any) -> bool:
    """Whether a form's value is the stored one: texts compare without end spaces and CRs.

    A browser sends a textarea's lines ending in CRLF, and the form strips
    the ends; a stored biography with a trailing newline is still unchanged.
    """
    if isinstance(stored, str) and isinstance(sent, str):
        return _plain(stored) == _plain(sent)
    if isinstance(stored, str) and sent is None:
        return not stored.strip()
    return stored == sent


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def claim_version(entity: Editable, version: int) -> None:
    """Move the entity's version from the form's to the next, or refuse a stale save.

    The conditional UPDATE is the guard: of two saves from the same version,
    the database lets exactly one through (the other waits for its row lock,
    then finds the version gone).
    """
    entity_type = history.entity_type_of(entity)
    if isinstance(entity, str):
        # A job has no row of its own: its text's row is the lock (PostgreSQL; SQLite
        # has one writer at a time), and a first text raced by another is refused.
        db.session.execute(
            select(GeneratedText.id).where(GeneratedText.crew_job == entity).with_for_update()
        )
        current = _job_edit_count(entity)
        if current != version:
            _refuse_stale(entity_type, entity, version, current)
        return
    model = type(entity)
    claimed = db.session.execute(
        update(model)
        .where(model.id == entity.id, model.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(entity)
        _refuse_stale(entity_type, entity, version, entity.version)
    db.session.refresh(entity, ["version"])


def _refuse_stale(entity_type: EntityType, entity: Editable, version: int, current: int) -> None:
    if isinstance(entity, str):
        newest = history.of_entity(entity_type, key=entity, per_page=max(current - version, 1))
        meanwhile = list(reversed(newest.items))
    else:
        meanwhile = history.since(entity_type, entity.id, version)
    count = len(meanwhile)
    raise StaleEditError(
        ngettext(
            "Someone else saved this page while you were editing (%(num)s edit, listed below). "
            "Nothing of yours is saved yet: your changes are still in the form. Check them "
            "against theirs and save again.",
            "Someone else saved this page while you were editing (%(num)s edits, listed below). "
            "Nothing of yours is saved yet: your changes are still in the form. Check them "
            "against theirs and save again.",
            count,
        ),
        edits=meanwhile,
        version=current,
    )


def _write(entity: Editable, name: str, value: Any, editor: User) -> None:
    """Set one field from a form's value."""
    if name == "description":
        _write_text(entity, value, editor)
        return
    field = FIELDS[history.entity_type_of(entity)][name]
    if field.kind == LINKS:
        setattr(entity, name, list(value))
        return
    if isinstance(entity, Genre) and name == "name":
        _check_genre_name(entity, value)
        entity.slug = slugify(value)
    setattr(entity, name, load(field, dump(value)))


def _write_text(entity: Genre | str, body: str | None, editor: User) -> None:
    """A genre's or crew job's description, written by hand (an empty one is removed).

    Editors write in the catalog's main language, as they edit its other fields;
    the describe stage writes the other languages' texts.
    """
    text = _genre_text(entity) if isinstance(entity, Genre) else _job_text(entity)
    if not body:
        if text is not None:
            if isinstance(entity, Genre):
                entity.generated_texts.remove(text)
            db.session.delete(text)
        return
    if text is None:
        subject = {"genre": entity} if isinstance(entity, Genre) else {"crew_job": entity}
        text = GeneratedText(
            **subject, body=body, source=TextSource.editor, language=i18n.catalog_languages()[0]
        )
        if isinstance(entity, Genre):
            db.session.add(text)  # the genre's row lock (its version) keeps this one at a time
        else:
            _add_first_job_text(text)
    text.body, text.source, text.model, text.prompt_hash = body, TextSource.editor, None, None
    text.author = editor


def _check_genre_name(genre: Genre, name: str | None) -> None:
    """Refuse a genre name (or the slug made of it) another genre has; saves, reverts alike."""
    if not name:
        raise EditError(_("A genre needs a name."), field="name")
    taken = db.session.scalar(
        select(Genre.id).where(
            Genre.id != genre.id,
            (func.lower(Genre.name) == name.lower()) | (Genre.slug == slugify(name)),
        )
    )
    if taken is not None:
        raise EditError(_("There is already a genre called %(name)s.", name=name), field="name")


def _add_first_job_text(text: GeneratedText) -> None:
    """A crew job's first text; another editor's, saved at the same moment, wins cleanly."""
    try:
        with db.session.begin_nested():
            db.session.add(text)
    except IntegrityError:
        raise EditError(
            _("Someone else wrote this description at the same moment: reload the page.")
        ) from None


def moved(entity: Editable) -> None:
    """After an edit: the search index and every cached page see the new values at once."""
    if isinstance(entity, Movie):
        search.index_movies([entity.id])
    elif isinstance(entity, Person):
        search.index_people([entity.id])
    revisions.bump()


def _job_text(job: str) -> GeneratedText | None:
    """The crew job's description in the catalog's main language, the one editors write."""
    return db.session.scalar(
        select(GeneratedText).where(
            GeneratedText.crew_job == job, GeneratedText.language == i18n.catalog_languages()[0]
        )
    )


def _genre_text(genre: Genre) -> GeneratedText | None:
    """The genre's description in the catalog's main language, the one editors write."""
    main = i18n.catalog_languages()[0]
    return next((text for text in genre.generated_texts if text.language == main), None)


def _job_edit_count(job: str) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(Edit.entity_type == EntityType.job, Edit.entity_key == job)
        )
        or 0
    )


def _job_is_credited(job: str) -> bool:
    return db.session.scalar(select(Credit.id).where(Credit.job == job).limit(1)) is not None

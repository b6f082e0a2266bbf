"""Merging duplicate movies or people into one, and undoing a merge from the history.

Everything that pointed at the duplicate moves to the survivor: credits,
and for movies the members' reviews, watchlist and diary entries. Where a
member had both (a review of each), the newer stays and the merge says so.
The duplicate's row, links, texts and locks are kept in the merge's edit,
so undoing it puts back the same rows with the same ids. The duplicate's
URL answers 301 to the survivor while the merge stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import Date, DateTime, Enum, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from ...infra.db import db
from ...models import (
    Credit,
    DiaryEntry,
    Edit,
    EditAction,
    EntityType,
    FieldLock,
    GeneratedText,
    Movie,
    Person,
    Redirect,
    Review,
    Role,
    Tombstone,
    User,
    WatchlistEntry,
    movie_genres,
    movie_keywords,
)
from .. import reviews, roles, search
from ..errors import NotFoundError
from . import history, locks
from .catalog import EditError, claim_version, moved
from .fields import FIELDS, LINKS, dump, load
from .history import Change

# Fields the survivor takes from the duplicate when it has none of its own.
IDENTIFIERS = ("tmdb_id", "imdb_id")
MOVED = {
    EntityType.movie: (
        ("credits", Credit, Credit.movie_id),
        ("reviews", Review, Review.movie_id),
        ("watchlist", WatchlistEntry, WatchlistEntry.movie_id),
        ("diary", DiaryEntry, DiaryEntry.movie_id),
    ),
    EntityType.person: (("credits", Credit, Credit.person_id),),
}
MODELS = {"credits": Credit, "reviews": Review, "watchlist": WatchlistEntry, "diary": DiaryEntry}


@dataclass(frozen=True)
class MergeResult:
    """The merge's edit, and what it had to decide (a member who reviewed both, say)."""

    edit: Edit
    notes: list[str]


def merge(
    *,
    duplicate: Movie | Person,
    survivor: Movie | Person,
    editor: User,
    comment: str | None = None,
) -> MergeResult:
    """Merge `duplicate` into `survivor` (two movies or two people); the duplicate goes."""
    roles.require(editor, Role.editor)
    if type(duplicate) is not type(survivor):
        raise EditError(_("Only a movie merges into a movie, and a person into a person."))
    if duplicate.id == survivor.id:
        raise EditError(_("Pick another page to merge into: that is this one."))
    entity_type = history.entity_type_of(survivor)
    session = db.session
    # An edit form opened on the survivor before the merge is stale after it.
    claim_version(survivor, survivor.version)
    snapshot = _snapshot(session, entity_type, duplicate)
    dropped = _drop_conflicts(session, entity_type, duplicate, survivor)
    moved_ids = _move(session, entity_type, duplicate, survivor)
    tmdb_id = duplicate.tmdb_id
    took = _take_identifiers(duplicate, survivor)
    filled, locked = _fill(entity_type, duplicate, survivor, editor, took_tmdb_id="tmdb_id" in took)
    _remove(session, entity_type, duplicate)
    session.flush()
    session.expire_all()  # rows moved by UPDATE: what the session holds of them is stale
    edit = history.record(
        editor=editor,
        entity=survivor,
        action=EditAction.merge,
        comment=comment,
        changes=[
            Change("merged", snapshot, {"took": took, "locked": locked}),
            Change("moved", None, moved_ids),
            Change("dropped", dropped["rows"], None),
            *filled,
        ],
    )
    _point_redirects(session, entity_type, duplicate.id, survivor.id, edit)
    if tmdb_id is not None and "tmdb_id" not in took:
        # TMDB keeps both records: the next load must not bring the duplicate back.
        session.add(
            Tombstone(entity_type=entity_type, tmdb_id=tmdb_id, new_id=survivor.id, edit_id=edit.id)
        )
    _after(entity_type, [survivor.id, duplicate.id])
    moved(survivor)
    return MergeResult(edit=edit, notes=dropped["notes"])


def undo(*, edit: Edit, editor: User) -> Edit:
    """Put a merge back: the duplicate returns with its id, rows and links; the redirect goes."""
    roles.require(editor, Role.editor)
    if edit.action is not EditAction.merge:
        raise EditError(_("That change is not a merge."))
    changes = {change.field: change for change in edit.changes}
    snapshot = changes["merged"].old_value
    entity_type = edit.entity_type
    model = Movie if entity_type is EntityType.movie else Person
    survivor = db.session.get(model, edit.entity_id)
    if survivor is None:
        raise NotFoundError(_("The page this merge kept is gone."))
    duplicate_id = snapshot["row"]["id"]
    if db.session.get(model, duplicate_id) is not None:
        raise EditError(_("This merge is undone already."))
    session = db.session
    claim_version(survivor, survivor.version)
    for name in changes["merged"].new_value.get("took", {}):
        setattr(survivor, name, None)
    session.flush()
    _restore_rows(session, model.__table__, [snapshot["row"]])
    _move_back(session, entity_type, changes["moved"].new_value, survivor.id, duplicate_id)
    for name, rows in (changes["dropped"].old_value or {}).items():
        _restore_rows(session, MODELS[name].__table__, rows)
    _restore_extras(session, entity_type, snapshot)
    unfilled = _unfill(
        survivor, entity_type, [c for c in edit.changes if c.field in FIELDS[entity_type]]
    )
    session.execute(
        delete(Redirect).where(Redirect.entity_type == entity_type, Redirect.old_id == duplicate_id)
    )
    session.execute(delete(Tombstone).where(Tombstone.edit_id == edit.id))
    held = locks.of(entity_type, survivor.id)
    for name in changes["merged"].new_value.get("locked", []):
        locks.unlock(held, name)
    undone = history.record(
        editor=editor,
        entity=survivor,
        action=EditAction.unmerge,
        reverts=edit,
        comment=_("Undid the merge of change %(id)s", id=edit.id),
        changes=[Change("merged", None, {"row": {"id": duplicate_id}}), *unfilled],
    )
    _after(entity_type, [survivor.id, duplicate_id])
    moved(survivor)
    return undone


def target(entity_type: EntityType, old_id: int) -> int | None:
    """Where a merged movie's or person's URL now points, if it was merged."""
    return db.session.scalar(
        select(Redirect.new_id).where(
            Redirect.entity_type == entity_type, Redirect.old_id == old_id
        )
    )


# Taking the duplicate apart.


def _snapshot(session: Session, entity_type: EntityType, duplicate: Movie | Person) -> dict:
    """Everything of the duplicate that goes with its row, as JSON."""
    snapshot: dict[str, Any] = {"row": _row(type(duplicate).__table__, duplicate)}
    if entity_type is EntityType.movie:
        snapshot["genres"] = list(
            session.scalars(
                select(movie_genres.c.genre_id).where(movie_genres.c.movie_id == duplicate.id)
            )
        )
        snapshot["keywords"] = list(
            session.scalars(
                select(movie_keywords.c.keyword_id).where(movie_keywords.c.movie_id == duplicate.id)
            )
        )
    snapshot["texts"] = [_row(GeneratedText.__table__, text) for text in duplicate.generated_texts]
    snapshot["locks"] = [
        _row(FieldLock.__table__, lock) for lock in locks.of(entity_type, duplicate.id).values()
    ]
    return snapshot


def _drop_conflicts(session, entity_type, duplicate, survivor) -> dict[str, Any]:
    """Rows that cannot both stay once merged: the older review, a second watchlist entry,
    a credit the survivor has already. They are kept in the edit (for undo) and deleted."""
    rows: dict[str, list[dict]] = {}
    notes: list[str] = []
    rows["credits"] = _doubled_credits(session, entity_type, duplicate, survivor)
    if entity_type is EntityType.movie:
        rows["reviews"], notes = _older_reviews(session, duplicate, survivor)
        kept = set(
            session.scalars(
                select(WatchlistEntry.user_id).where(WatchlistEntry.movie_id == survivor.id)
            )
        )
        rows["watchlist"] = [
            _row(WatchlistEntry.__table__, entry)
            for entry in session.scalars(
                select(WatchlistEntry).where(WatchlistEntry.movie_id == duplicate.id)
            )
            if entry.user_id in kept
        ]
    for name, dropped in rows.items():
        ids = [row["id"] for row in dropped]
        if ids:
            session.execute(delete(MODELS[name]).where(MODELS[name].id.in_(ids)))
    return {"rows": {name: dropped for name, dropped in rows.items() if dropped}, "notes": notes}


def _doubled_credits(session, entity_type, duplicate, survivor) -> list[dict]:
    """Of a credit both pages have, the copy to drop: the one without TMDB's credit id.

    Keeping TMDB's copy keeps its id, so the next load updates it instead of
    adding the credit again.
    """
    key = Credit.movie_id if entity_type is EntityType.movie else Credit.person_id
    other = Credit.person_id if entity_type is EntityType.movie else Credit.movie_id

    def part(credit: Credit) -> tuple:
        return (getattr(credit, other.key), credit.kind, credit.character, credit.job)

    theirs = {part(c): c for c in session.scalars(select(Credit).where(key == survivor.id))}
    dropped = []
    for credit in session.scalars(select(Credit).where(key == duplicate.id)):
        twin = theirs.get(part(credit))
        if twin is None:
            continue
        keep_mine = credit.tmdb_credit_id is not None and twin.tmdb_credit_id is None
        dropped.append(_row(Credit.__table__, twin if keep_mine else credit))
    return dropped


def _older_reviews(session, duplicate: Movie, survivor: Movie) -> tuple[list[dict], list[str]]:
    """Of two reviews by one member, the older one (to drop), and a note saying so."""
    both = session.execute(
        select(Review, User.username)
        .join(User, User.id == Review.user_id)
        .where(Review.movie_id.in_([duplicate.id, survivor.id]))
        .order_by(Review.user_id, Review.updated_at.desc(), Review.id.desc())
    ).all()
    dropped, notes, seen = [], [], {}
    for review, username in both:
        if review.user_id not in seen:
            seen[review.user_id] = review
            continue
        dropped.append(_row(Review.__table__, review))
        newer = seen[review.user_id]
        notes.append(
            _(
                "%(username)s had reviewed both; their newer review (%(date)s, %(rating)s/10) "
                "is the one kept.",
                username=username,
                # The day as it was written before ("05 March 2024"), in the page's language.
                date=format_date(newer.updated_at, "dd MMMM yyyy"),
                rating=newer.rating,
            )
        )
    return dropped, notes


def _move(session, entity_type, duplicate, survivor) -> dict[str, list[int]]:
    """Point every remaining row of the duplicate at the survivor; the ids moved, by table."""
    moved_ids = {}
    for name, model, column in MOVED[entity_type]:
        ids = list(session.scalars(select(model.id).where(column == duplicate.id)))
        if ids:
            session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values({column.key: survivor.id})
                .execution_options(synchronize_session=False)
            )
        moved_ids[name] = ids
    return moved_ids


def _take_identifiers(duplicate, survivor) -> dict[str, Any]:
    """TMDB and IMDb ids the survivor lacks come from the duplicate, so loads find it."""
    took = {}
    for name in IDENTIFIERS:
        value = getattr(duplicate, name)
        if getattr(survivor, name) is None and value is not None:
            took[name] = value
    if took:
        for name in took:
            setattr(duplicate, name, None)
        db.session.flush()
        for name, value in took.items():
            setattr(survivor, name, value)
    return took


def _fill(entity_type, duplicate, survivor, editor, *, took_tmdb_id: bool):
    """Fields the survivor has empty take the duplicate's value; the changes, the fields locked.

    Copied values are TMDB's or another page's: they stay unlocked. A page
    entered by hand that takes its twin's TMDB id locks what it says otherwise
    than TMDB, so the next load keeps the editors' values.
    """
    held = locks.of(entity_type, survivor.id)
    changes, locked = [], []
    for name, field in FIELDS[entity_type].items():
        if field.kind == LINKS or name in ("credits", "description"):
            continue
        mine, theirs = getattr(survivor, name), getattr(duplicate, name)
        empty = mine in (None, "", 0) or dump(mine) == "unknown"
        if empty and theirs not in (None, "", 0) and dump(theirs) != "unknown":
            setattr(survivor, name, theirs)
            changes.append(Change(name, dump(mine), dump(theirs), was_locked=name in held))
        elif took_tmdb_id and not empty and dump(mine) != dump(theirs) and name not in held:
            locks.lock(held, entity_type=entity_type, entity_id=survivor.id, field=name, by=editor)
            locked.append(name)
    return changes, locked


def _remove(session, entity_type, duplicate) -> None:
    """Delete the duplicate's row; its links, text and locks go with it."""
    model = type(duplicate)
    session.flush()
    session.expunge(duplicate)
    session.execute(
        delete(FieldLock).where(
            FieldLock.entity_type == entity_type, FieldLock.entity_id == duplicate.id
        )
    )
    session.execute(delete(model).where(model.id == duplicate.id))


def _point_redirects(session, entity_type, old_id: int, new_id: int, edit: Edit) -> None:
    """The duplicate's URL, and any URL that pointed at it, now go to the survivor."""
    for model in (Redirect, Tombstone):
        session.execute(
            update(model)
            .where(model.entity_type == entity_type, model.new_id == old_id)
            .values(new_id=new_id)
        )
    session.add(Redirect(entity_type=entity_type, old_id=old_id, new_id=new_id, edit_id=edit.id))
    session.flush()


def _after(entity_type: EntityType, ids: list[int]) -> None:
    """Search entries and members' figures of both pages, as they now are."""
    if entity_type is EntityType.movie:
        search.index_movies(ids)
        reviews.refresh_movies([movie_id for movie_id in ids if db.session.get(Movie, movie_id)])
    else:
        search.index_people(ids)


# Putting it back.


def _move_back(session, entity_type, moved_ids: dict[str, list[int]], survivor_id, duplicate_id):
    for name, _model, column in MOVED[entity_type]:
        ids = moved_ids.get(name) or []
        if ids:
            model = MODELS[name]
            session.execute(
                update(model)
                .where(model.id.in_(ids), column == survivor_id)
                .values({column.key: duplicate_id})
                .execution_options(synchronize_session=False)
            )


def _restore_extras(session, entity_type, snapshot: dict) -> None:
    movie_id = snapshot["row"]["id"]
    if entity_type is EntityType.movie:
        for table, column, ids in (
            (movie_genres, "genre_id", snapshot.get("genres", [])),
            (movie_keywords, "keyword_id", snapshot.get("keywords", [])),
        ):
            if ids:
                session.execute(
                    insert(table), [{"movie_id": movie_id, column: linked} for linked in ids]
                )
    # Merges recorded before texts came per language kept one, as "text".
    texts = snapshot.get("texts") or ([snapshot["text"]] if snapshot.get("text") else [])
    if texts:
        _restore_rows(session, GeneratedText.__table__, texts)
    _restore_rows(session, FieldLock.__table__, snapshot.get("locks", []))


def _unfill(survivor, entity_type, filled) -> list[Change]:
    """Give back the values the survivor took from the duplicate, if nobody changed them since."""
    held = locks.of(entity_type, survivor.id)
    changes = []
    current = {name: dump(getattr(survivor, name)) for name in (c.field for c in filled)}
    for change in filled:
        if current[change.field] != change.new_value:
            continue
        field = FIELDS[entity_type][change.field]
        setattr(survivor, change.field, load(field, change.old_value))
        if not change.was_locked:
            locks.unlock(held, change.field)
        changes.append(Change(change.field, change.new_value, change.old_value))
    return changes


# Rows as JSON and back.


def _row(table: Table, obj: Any) -> dict[str, Any]:
    return {column.key: dump(getattr(obj, column.key)) for column in table.columns}


def _restore_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows kept as JSON, with their ids; a row whose id is taken meanwhile is skipped."""
    if not rows:
        return
    taken = set(session.scalars(select(table.c.id).where(table.c.id.in_([r["id"] for r in rows]))))
    values = [_from_json_row(table, row) for row in rows if row["id"] not in taken]
    if values:
        session.execute(insert(table), values)


def _from_json_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for column in table.columns:
        value = row.get(column.key)
        if value is not None:
            kind = column.type
            if isinstance(kind, Enum) and kind.enum_class is not None:
                value = kind.enum_class[value]
            elif isinstance(getattr(kind, "impl", kind), DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = date.fromisoformat(value)
        result[column.key] = value
    return result

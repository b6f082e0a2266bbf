"""Editing a movie's cast and crew: add, remove, change and reorder credits, as one edit.

A movie's credit list is locked as a whole once an editor touches it: a load
then keeps TMDB's list beside the lock (services.edits.locks) and leaves the
movie's credits alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...infra.db import db
from ...models import Credit, CreditKind, EditAction, EntityType, Movie, Person, Role, User
from .. import roles
from . import history, locks
from .catalog import EditError, claim_version, create_person, credit_value, moved
from .fields import CREDIT
from .history import Change

MAX_ORDER = 10_000


@dataclass(frozen=True)
class NewCredit:
    """A credit to add: a person, and a character (cast) or a department and job (crew)."""

    person: Person
    kind: CreditKind
    character: str | None = None
    order: int | None = None
    department: str | None = None
    job: str | None = None
    # TMDB's credit id, when the credit is TMDB's (taken from a lock's upstream list).
    tmdb_credit_id: str | None = None


@dataclass
class CreditChanges:
    """What one save does to a movie's credits."""

    added: list[NewCredit] = field(default_factory=list)
    removed: set[int] = field(default_factory=set)  # credit ids
    cast: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)  # id → part

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.cast)


def of_movie(movie: Movie) -> list[Credit]:
    """The movie's credits with their people: cast by billing order, then crew by department."""
    return list(
        db.session.scalars(
            select(Credit)
            .where(Credit.movie_id == movie.id)
            .options(selectinload(Credit.person))
            .order_by(
                Credit.kind,
                Credit.cast_order.nulls_last(),
                Credit.department,
                Credit.job,
                Credit.id,
            )
        )
    )


def save(
    *,
    movie: Movie,
    editor: User,
    changes: CreditChanges,
    version: int,
    comment: str | None = None,
    follow_tmdb: bool = False,
) -> int:
    """Apply credit changes as one edit; the number of credits changed (0: nothing to do).

    The credit list is locked after, unless `follow_tmdb` (TMDB's list was just taken).
    """
    roles.require(editor, Role.editor)
    credits = {credit.id: credit for credit in of_movie(movie)}
    unknown = (changes.removed | changes.cast.keys()) - credits.keys()
    if unknown:
        raise EditError(_("Some of those credits are not this movie's any more: reload the page."))
    rows = _removals(credits, changes.removed)
    db.session.flush()  # removed first: a credit added back may carry the same TMDB id
    rows += _cast_changes(credits, changes)
    if not rows and not changes.added:
        if follow_tmdb:
            locks.unlock(locks.of(EntityType.movie, movie.id), "credits")
            db.session.flush()
        return 0
    claim_version(movie, version)
    rows += _additions(movie, changes.added)
    held = locks.of(EntityType.movie, movie.id)
    if follow_tmdb:
        was_locked = locks.unlock(held, "credits") is not None
    else:
        was_locked = locks.lock(
            held, entity_type=EntityType.movie, entity_id=movie.id, field="credits", by=editor
        )
    db.session.flush()
    history.record(
        editor=editor,
        entity=movie,
        action=EditAction.accept if follow_tmdb else EditAction.credits,
        changes=[Change(CREDIT, old, new, was_locked=was_locked) for old, new in rows],
        comment=comment,
    )
    moved(movie)
    return len(rows)


def _removals(credits: dict[int, Credit], removed: set[int]) -> list[tuple[dict, dict | None]]:
    rows = []
    for credit_id in sorted(removed):
        rows.append((credit_value(credits[credit_id]), None))
        db.session.delete(credits[credit_id])
    return rows


def _cast_changes(credits: dict[int, Credit], changes: CreditChanges) -> list[tuple[dict, dict]]:
    rows = []
    for credit_id, (character, order) in sorted(changes.cast.items()):
        credit = credits[credit_id]
        if credit_id in changes.removed or credit.kind is not CreditKind.cast:
            continue
        if (credit.character, credit.cast_order) == (character, order):
            continue
        before = credit_value(credit)
        credit.character, credit.cast_order = character, order
        rows.append((before, credit_value(credit)))
    return rows


def _additions(movie: Movie, added: list[NewCredit]) -> list[tuple[None, dict]]:
    rows = []
    next_order = _next_cast_order(movie)
    for new in added:
        order = new.order
        if new.kind is CreditKind.cast and order is None:
            order, next_order = next_order, next_order + 1
        credit = Credit(
            movie=movie,
            person=new.person,
            tmdb_credit_id=new.tmdb_credit_id,
            kind=new.kind,
            character=new.character if new.kind is CreditKind.cast else None,
            cast_order=order if new.kind is CreditKind.cast else None,
            department=new.department if new.kind is CreditKind.crew else None,
            job=new.job if new.kind is CreditKind.crew else None,
        )
        db.session.add(credit)
        db.session.flush()
        rows.append((None, credit_value(credit)))
    return rows


def _next_cast_order(movie: Movie) -> int:
    highest = db.session.scalar(
        select(func.max(Credit.cast_order)).where(
            Credit.movie_id == movie.id, Credit.kind == CreditKind.cast
        )
    )
    return 0 if highest is None else highest + 1


def accept_upstream(*, movie: Movie, editor: User, version: int) -> int:
    """Replace the movie's credits with TMDB's list from the last load, and follow TMDB again.

    TMDB's people are found by their TMDB id; one the catalog lacks is left
    out (the next load adds them along with their credit).
    """
    roles.require(editor, Role.editor)
    lock = locks.of(EntityType.movie, movie.id).get("credits")
    if lock is None or lock.upstream_seen_at is None:
        raise EditError(_("TMDB's cast and crew are not known yet: run a load first."))
    upstream = lock.upstream_value or []
    people = {
        person.tmdb_id: person
        for person in db.session.scalars(
            select(Person).where(Person.tmdb_id.in_({c["person_tmdb_id"] for c in upstream}))
        )
    }
    added = [
        NewCredit(
            person=people[credit["person_tmdb_id"]],
            kind=CreditKind(credit["kind"]),
            character=credit["character"],
            order=credit["order"],
            department=credit["department"],
            job=credit["job"],
            tmdb_credit_id=credit.get("credit_id"),
        )
        for credit in upstream
        if credit["person_tmdb_id"] in people
    ]
    changes = CreditChanges(added=added, removed={credit.id for credit in of_movie(movie)})
    return save(
        movie=movie,
        editor=editor,
        changes=changes,
        version=version,
        comment=_("Took TMDB's cast and crew"),
        follow_tmdb=True,
    )


def person_for_credit(
    *, person_id: int | None, name: str | None, new_person: bool, editor: User
) -> Person:
    """The person a new credit names: picked by id, found by exact name, or entered as new.

    A name several people share is refused with a message: the editor picks one.
    """
    if person_id:
        person = db.session.get(Person, person_id)
        if person is None:
            raise EditError(_("That person is not in the catalog any more."), field="person")
        return person
    name = (name or "").strip()
    if not name:
        raise EditError(_("Pick someone from the suggestions, or type a name."), field="person")
    if new_person:
        return create_person(editor=editor, values={"name": name[:200]})
    matches = list(
        db.session.scalars(select(Person).where(func.lower(Person.name) == name.lower()).limit(20))
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise EditError(
            _(
                "Nobody called %(name)s is in the catalog: pick from the suggestions, "
                "or tick “A new person” to add them.",
                name=name,
            ),
            field="person",
        )
    raise AmbiguousPersonError(
        ngettext(
            "%(num)s person is called %(name)s: choose one below.",
            "%(num)s people are called %(name)s: choose one below.",
            len(matches),
            name=name,
        ),
        candidates=matches,
    )


class AmbiguousPersonError(EditError):
    """A typed name matches several people; `candidates` lists them."""

    def __init__(self, message: str, *, candidates: list[Person]) -> None:
        super().__init__(message, field="person")
        self.candidates = candidates

"""Reverting one edit, or everything after a point; a revert is an edit too."""

from __future__ import annotations

from datetime import date

import pytest

from app.models import Credit, CreditKind, EditAction, EntityType
from app.services import edits
from app.services.edits import credits, history, locks
from tests.factories import make_cast_credit, make_editor, make_genre, make_movie, make_person


def test_a_revert_restores_the_exact_old_values(db):
    editor = make_editor()
    drama = make_genre("Drama")
    movie = make_movie("Heat", release_date=date(1995, 12, 15), runtime=170, genres=[drama])
    edit = edits.update_movie(
        movie=movie,
        editor=editor,
        values={"title": "Heat!", "release_date": date(1995, 12, 1), "genres": []},
        version=1,
    )

    reverted = edits.revert(edit=edit, editor=editor)

    assert (movie.title, movie.release_date, movie.genres) == ("Heat", date(1995, 12, 15), [drama])
    assert reverted.action is EditAction.revert
    assert reverted.reverts_id == edit.id
    assert movie.version == 3
    assert {c.field: (c.old_value, c.new_value) for c in reverted.changes} == {
        "title": ("Heat!", "Heat"),
        "release_date": ("1995-12-01", "1995-12-15"),
        "genres": ([], [{"id": drama.id, "name": "Drama"}]),
    }
    # The edit that locked the fields is undone: they follow TMDB again.
    assert locks.of(EntityType.movie, movie.id) == {}


def test_a_revert_keeps_locks_an_earlier_edit_made(db):
    editor = make_editor()
    movie = make_movie("Heat")
    edits.update_movie(movie=movie, editor=editor, values={"title": "Heat (1995)"}, version=1)
    second = edits.update_movie(movie=movie, editor=editor, values={"title": "Heat."}, version=2)

    edits.revert(edit=second, editor=editor)

    assert movie.title == "Heat (1995)"
    assert set(locks.of(EntityType.movie, movie.id)) == {"title"}


def test_a_revert_is_refused_when_the_field_changed_again(db):
    editor = make_editor()
    movie = make_movie("Heat")
    first = edits.update_movie(movie=movie, editor=editor, values={"title": "A"}, version=1)
    edits.update_movie(movie=movie, editor=editor, values={"title": "B"}, version=2)

    with pytest.raises(edits.EditError, match="Title changed again after this edit"):
        edits.revert(edit=first, editor=editor)
    assert movie.title == "B"


def test_revert_to_a_point_undoes_every_later_edit_at_once(db):
    editor = make_editor()
    movie = make_movie("Heat", runtime=170)
    point = edits.update_movie(movie=movie, editor=editor, values={"title": "Heat I"}, version=1)
    edits.update_movie(movie=movie, editor=editor, values={"title": "Heat II"}, version=2)
    edits.update_movie(
        movie=movie, editor=editor, values={"title": "Heat III", "runtime": 1}, version=3
    )

    back = edits.revert_to(edit=point, editor=editor)

    assert (movie.title, movie.runtime) == ("Heat I", 170)
    assert back.reverts_id is None
    assert set(locks.of(EntityType.movie, movie.id)) == {"title"}
    with pytest.raises(edits.EditError, match="Nothing was changed after this edit"):
        edits.revert_to(edit=back, editor=editor)


def test_credit_changes_are_reverted_row_by_row(db):
    editor = make_editor()
    movie = make_movie("Heat")
    lead = make_cast_credit(movie, make_person("Lead"), "Hero", order=0)
    gone = make_cast_credit(movie, make_person("Extra"), "Guard", order=1)
    newcomer = make_person("Newcomer")
    credits.save(
        movie=movie,
        editor=editor,
        changes=credits.CreditChanges(
            added=[credits.NewCredit(person=newcomer, kind=CreditKind.cast, character="Kid")],
            removed={gone.id},
            cast={lead.id: ("Hero (older)", 0)},
        ),
        version=1,
    )
    (line,) = history.of_entity(EntityType.movie, movie.id).items
    edit = history.get(line.id)
    gone_id = gone.id

    edits.revert(edit=edit, editor=editor)

    db.session.expire_all()
    rows = {
        (credit.person.name, credit.character, credit.cast_order)
        for credit in credits.of_movie(movie)
    }
    assert rows == {("Lead", "Hero", 0), ("Extra", "Guard", 1)}
    assert db.session.get(Credit, gone_id) is not None  # back with its old id
    assert "credits" not in locks.of(EntityType.movie, movie.id)


def test_merges_and_creations_cannot_be_reverted_here(db):
    editor = make_editor()
    movie = edits.create_movie(editor=editor, values={"title": "Home"})
    (line,) = history.of_entity(EntityType.movie, movie.id).items
    created = history.get(line.id)

    with pytest.raises(edits.EditError, match="added the page"):
        edits.revert(edit=created, editor=editor)

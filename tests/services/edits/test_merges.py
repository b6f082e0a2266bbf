"""Merging duplicates: every dependent row moves, conflicts keep the newer, undo puts it back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.models import (
    Credit,
    DiaryEntry,
    EditAction,
    EntityType,
    Movie,
    Person,
    Review,
    WatchlistEntry,
)
from app.services import edits, reviews, watchlist
from app.services.edits import merges
from tests.factories import (
    make_cast_credit,
    make_editor,
    make_genre,
    make_movie,
    make_person,
    make_user,
)


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    from app.infra.db import db

    return db.session.scalar(query)


def test_merging_movies_moves_every_dependent_row_and_keeps_the_newer_review(db):
    editor = make_editor()
    ana, bea = make_user("ana"), make_user("bea")
    drama = make_genre("Drama")
    survivor = make_movie("Heat", tmdb_id=None, runtime=None, genres=[drama])
    duplicate = make_movie("Heat (1995)", tmdb_id=949, runtime=170, imdb_id="tt0113277")
    star = make_person("Al Pacino")
    make_cast_credit(survivor, star, "Vincent Hanna")
    make_cast_credit(duplicate, star, "Vincent Hanna")  # the same credit twice
    make_cast_credit(duplicate, make_person("Robert De Niro"), "Neil McCauley", order=1)
    reviews.upsert(
        user=ana, movie=survivor, rating=6, body="Long.", spoilers=False, recommends=None
    )
    old = reviews.of(ana, survivor)
    old.updated_at = datetime(2020, 1, 1, tzinfo=UTC)
    reviews.upsert(
        user=ana, movie=duplicate, rating=9, body="A classic.", spoilers=False, recommends=None
    )
    reviews.upsert(user=bea, movie=duplicate, rating=8, body=None, spoilers=False, recommends=None)
    watchlist.add(ana, survivor)
    watchlist.add(ana, duplicate)
    watchlist.add(bea, duplicate)
    db.session.add(DiaryEntry(user=bea, movie=duplicate, watched_on=date(2024, 5, 1)))
    db.session.flush()
    duplicate_id = duplicate.id

    result = merges.merge(duplicate=duplicate, survivor=survivor, editor=editor)
    db.session.commit()

    assert db.session.get(Movie, duplicate_id) is None
    assert count(Credit, movie_id=survivor.id) == 2
    assert {(r.user.username, r.rating) for r in db.session.scalars(select(Review))} == {
        ("ana", 9),
        ("bea", 8),
    }
    assert count(WatchlistEntry, movie_id=survivor.id) == 2
    assert count(DiaryEntry, movie_id=survivor.id) == 1
    assert result.notes == [
        "ana had reviewed both; their newer review "
        f"({datetime.now(UTC):%d %B %Y}, 9/10) is the one kept."
    ]
    db.session.refresh(survivor)
    assert (survivor.tmdb_id, survivor.imdb_id, survivor.runtime) == (949, "tt0113277", 170)
    assert (survivor.review_count, survivor.review_average) == (2, 8.5)
    assert merges.target(EntityType.movie, duplicate_id) == survivor.id
    assert result.edit.action is EditAction.merge


def test_undoing_a_merge_puts_back_the_same_rows(db):
    editor = make_editor()
    ana = make_user("ana")
    survivor = make_movie("Heat", tmdb_id=None)
    duplicate = make_movie("Heat (1995)", tmdb_id=949, genres=[make_genre("Crime")])
    credit = make_cast_credit(duplicate, make_person("Al Pacino"), "Vincent")
    reviews.upsert(user=ana, movie=survivor, rating=5, body=None, spoilers=False, recommends=None)
    reviews.upsert(user=ana, movie=duplicate, rating=9, body=None, spoilers=False, recommends=None)
    db.session.flush()
    duplicate_id, credit_id = duplicate.id, credit.id
    result = merges.merge(duplicate=duplicate, survivor=survivor, editor=editor)
    db.session.commit()

    undone = merges.undo(edit=result.edit, editor=editor)
    db.session.commit()

    back = db.session.get(Movie, duplicate_id)
    assert back.title == "Heat (1995)"
    assert back.tmdb_id == 949
    assert survivor.tmdb_id is None
    assert [genre.name for genre in back.genres] == ["Crime"]
    assert db.session.get(Credit, credit_id).movie_id == duplicate_id
    assert {(r.movie_id, r.rating) for r in db.session.scalars(select(Review))} == {
        (survivor.id, 5),
        (duplicate_id, 9),
    }
    assert merges.target(EntityType.movie, duplicate_id) is None
    assert undone.action is EditAction.unmerge
    with pytest.raises(edits.EditError, match="undone already"):
        merges.undo(edit=result.edit, editor=editor)


def test_merging_people_moves_their_credits_and_takes_the_tmdb_id(db):
    editor = make_editor()
    placeholder = make_person("Ana Silva", tmdb_id=90_000_123, birthday=date(1950, 1, 1))
    real = make_person("Ana Silva", tmdb_id=None)
    make_cast_credit(make_movie("One"), placeholder, "Maria")
    placeholder_id = placeholder.id

    merges.merge(duplicate=placeholder, survivor=real, editor=editor)

    assert db.session.get(Person, placeholder_id) is None
    assert count(Credit, person_id=real.id) == 1
    assert real.tmdb_id == 90_000_123
    assert real.birthday == date(1950, 1, 1)
    assert merges.target(EntityType.person, placeholder_id) == real.id


def test_a_merge_is_refused_across_kinds_or_into_itself(db):
    editor = make_editor()
    movie, person = make_movie("Heat"), make_person("Heat")

    with pytest.raises(edits.EditError, match="Only a movie merges into a movie"):
        merges.merge(duplicate=movie, survivor=person, editor=editor)
    with pytest.raises(edits.EditError, match="that is this one"):
        merges.merge(duplicate=movie, survivor=movie, editor=editor)


def test_of_a_credit_both_have_the_tmdb_copy_is_kept_and_copied_values_stay_unlocked(db):
    from app.services.edits import locks

    editor = make_editor()
    actor = make_person("Al Pacino")
    survivor = make_movie("Heat", tmdb_id=None, runtime=None, tagline="Entered by hand")
    duplicate = make_movie("Heat", tmdb_id=949, runtime=170, tagline="A Los Angeles crime saga")
    make_cast_credit(survivor, actor, "Vincent")
    tmdb_copy = make_cast_credit(duplicate, actor, "Vincent")
    tmdb_copy.tmdb_credit_id = "52fe4273c3a36847f801e8d3"
    db.session.flush()

    merges.merge(duplicate=duplicate, survivor=survivor, editor=editor)

    (kept,) = db.session.scalars(select(Credit).where(Credit.movie_id == survivor.id))
    assert kept.tmdb_credit_id == "52fe4273c3a36847f801e8d3"
    held = locks.of(EntityType.movie, survivor.id)
    assert "runtime" not in held  # copied from TMDB's record: follows TMDB
    assert "tagline" in held  # typed by hand, and TMDB says otherwise: kept

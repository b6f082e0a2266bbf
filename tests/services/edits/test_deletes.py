"""Deleting what nothing depends on; hiding movies members have used."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import DiaryEntry, EditAction, EntityType, Movie, Person
from app.services import catalog, people, reviews, search, watchlist
from app.services.edits import deletes, history
from tests.factories import (
    make_cast_credit,
    make_editor,
    make_genre,
    make_movie,
    make_person,
    make_user,
)


def test_a_refused_delete_lists_what_depends_on_the_movie(db):
    editor = make_editor()
    ana, bea = make_user("ana"), make_user("bea")
    movie = make_movie("Heat")
    reviews.upsert(user=ana, movie=movie, rating=8, body=None, spoilers=False, recommends=None)
    watchlist.add(ana, movie)
    watchlist.add(bea, movie)
    db.session.add(DiaryEntry(user=bea, movie=movie, watched_on=date(2024, 1, 2)))
    db.session.flush()

    with pytest.raises(deletes.DependentsError) as refused:
        deletes.delete(entity=movie, editor=editor)

    assert refused.value.dependents == {"review": 1, "watchlist entry": 2, "diary entry": 1}
    assert refused.value.message == (
        "It cannot be deleted: 1 review, 2 watchlist entries, 1 diary entry depend on it. "
        "You can merge it into another movie or hide it instead."
    )
    assert db.session.get(Movie, movie.id) is not None


def test_a_person_with_credits_and_a_genre_in_use_are_kept(db):
    editor = make_editor()
    genre = make_genre("Drama")
    person = make_person("Busy")
    for number in range(3):
        make_cast_credit(make_movie(f"M{number}", genres=[genre]), person, "Someone")

    with pytest.raises(deletes.DependentsError, match="3 credits depend on it"):
        deletes.delete(entity=person, editor=editor)
    with pytest.raises(deletes.DependentsError, match="3 movies depend on it"):
        deletes.delete(entity=genre, editor=editor)


def test_a_movie_nobody_used_is_deleted_with_its_credits_and_noted(db):
    editor = make_editor()
    movie = make_movie("Mistake")
    make_cast_credit(movie, make_person("Actor"), "Part")
    search.index_movies([movie.id])
    movie_id = movie.id

    edit = deletes.delete(entity=movie, editor=editor, comment="test entry")

    assert db.session.get(Movie, movie_id) is None
    assert edit.action is EditAction.delete
    assert history.of_entity(EntityType.movie, movie_id).total == 1
    assert search.movies(search.Query.parse("mistake")) == []
    lonely = make_person("Lonely")
    deletes.delete(entity=lonely, editor=editor)
    assert db.session.scalar(select(Person).where(Person.name == "Lonely")) is None


def test_a_hidden_movie_leaves_lists_search_rails_and_filmographies(db):
    editor = make_editor()
    ana = make_user("ana")
    genre = make_genre("Drama")
    star = make_person("Star")
    shown = make_movie("Shown Film", genres=[genre], popularity=1.0)
    hidden = make_movie("Hidden Film", genres=[genre], popularity=99.0)
    for movie in (shown, hidden):
        make_cast_credit(movie, star, "Lead")
    watchlist.add(ana, hidden)
    search.index_movies([shown.id, hidden.id])

    deletes.hide(movie=hidden, editor=editor, version=1)

    assert [m.title for m in catalog.list_().items] == ["Shown Film"]
    assert catalog.list_().total == 1
    assert [m.title for m in catalog.popular()] == ["Shown Film"]
    assert [m.title for m in catalog.recently_added()] == ["Shown Film"]
    assert [m.title for m in catalog.similar(shown)] == []
    assert search.movies(search.Query.parse("hidden film")) == []
    assert [c.movie.title for c in people.filmography(star).acting] == ["Shown Film"]
    assert [g.count for g in catalog.genres_with_counts()] == [1]
    mine = catalog.list_(within=watchlist.movie_ids_query(ana))
    assert [m.title for m in mine.items] == ["Hidden Film"]  # members keep their rows

    deletes.unhide(movie=hidden, editor=editor, version=2)
    assert catalog.list_().total == 2
    with pytest.raises(deletes.EditError, match="not hidden"):
        deletes.unhide(movie=hidden, editor=editor, version=3)

"""Saving hand edits: values written, fields locked, history recorded, caches moved."""

from __future__ import annotations

from datetime import date

import pytest
from flask import g

from app.models import EditAction, EntityType, FieldLock, Gender, TextSource
from app.services import edits, revisions, roles, search
from app.services.edits import history, locks
from tests.factories import (
    make_crew_credit,
    make_editor,
    make_genre,
    make_movie,
    make_person,
    make_user,
)


def revision_now() -> int:
    g.pop("catalog_revision", None)
    return revisions.current().number


def test_an_editor_fixes_a_title_and_a_date(db):
    editor = make_editor()
    movie = make_movie("The Matirx", release_date=date(1999, 3, 30), runtime=136)
    before = revision_now()

    edit = edits.update_movie(
        movie=movie,
        editor=editor,
        values={"title": "The Matrix", "release_date": date(1999, 3, 31), "runtime": 136},
        version=1,
        comment="typo; US premiere date",
    )

    assert movie.title == "The Matrix"
    assert movie.release_date == date(1999, 3, 31)
    assert movie.version == 2
    assert edit.version == 2
    assert edit.action is EditAction.update
    assert edit.user is editor
    assert edit.comment == "typo; US premiere date"
    assert edit.entity_label == "The Matrix (1999)"
    assert [(c.field, c.old_value, c.new_value) for c in edit.changes] == [
        ("title", "The Matirx", "The Matrix"),
        ("release_date", "1999-03-30", "1999-03-31"),
    ]
    assert set(locks.of(EntityType.movie, movie.id)) == {"title", "release_date"}
    assert revision_now() > before
    assert [found.id for found in search.movies(search.Query.parse("matrix"))] == [movie.id]


def test_nothing_changed_is_no_edit(db):
    editor = make_editor()
    movie = make_movie("Heat")

    assert (
        edits.update_movie(movie=movie, editor=editor, values={"title": "Heat"}, version=1) is None
    )
    assert movie.version == 1
    assert history.of_entity(EntityType.movie, movie.id).total == 0


def test_a_member_may_not_edit(db):
    member = make_user("mia")
    movie = make_movie("Heat")

    with pytest.raises(roles.NotAllowedError):
        edits.update_movie(movie=movie, editor=member, values={"title": "Cold"}, version=1)
    assert movie.title == "Heat"


def test_a_save_from_an_old_version_is_refused_with_what_changed(db):
    first, second = make_editor("eddie"), make_editor("flo")
    movie = make_movie("Alien")
    edits.update_movie(movie=movie, editor=first, values={"tagline": "In space…"}, version=1)

    with pytest.raises(edits.StaleEditError) as refused:
        edits.update_movie(movie=movie, editor=second, values={"title": "Aliens"}, version=1)

    assert "Someone else saved this page while you were editing (1 edit" in refused.value.message
    assert [edit.user for edit in refused.value.edits] == [first]
    assert refused.value.version == 2
    assert movie.title == "Alien"
    assert movie.version == 2


def test_genres_and_keywords_are_edited_as_lists(db):
    editor = make_editor()
    drama, crime = make_genre("Drama"), make_genre("Crime")
    movie = make_movie("Heat", genres=[drama])

    edit = edits.update_movie(
        movie=movie,
        editor=editor,
        values={"genres": [drama, crime], "keywords": ["heist", "Los Angeles", "HEIST"]},
        version=1,
    )

    assert [genre.name for genre in movie.genres] == ["Crime", "Drama"]
    assert [keyword.name for keyword in movie.keywords] == ["heist", "Los Angeles"]
    assert movie.keywords[0].tmdb_id is None
    genres_change = next(change for change in edit.changes if change.field == "genres")
    assert genres_change.old_value == [{"id": drama.id, "name": "Drama"}]
    assert sorted(item["name"] for item in genres_change.new_value) == ["Crime", "Drama"]
    again = edits.keywords_named(["los angeles", "new one"])
    assert again[0] is movie.keywords[1]


def test_a_person_edit_checks_the_dates(db):
    editor = make_editor()
    person = make_person("Ana Silva", birthday=date(1950, 5, 1))

    with pytest.raises(edits.EditError, match="comes before their birthday") as refused:
        edits.update_person(
            person=person, editor=editor, values={"deathday": date(1940, 1, 1)}, version=1
        )
    assert refused.value.field == "deathday"

    edit = edits.update_person(
        person=person,
        editor=editor,
        values={"deathday": date(2020, 1, 2), "gender": Gender.female},
        version=1,
    )
    assert person.deathday == date(2020, 1, 2)
    assert {change.field: change.new_value for change in edit.changes} == {
        "deathday": "2020-01-02",
        "gender": "female",
    }


def test_a_genre_description_is_written_by_the_editor(db):
    editor = make_editor()
    genre = make_genre("Film Noir")
    make_genre("Drama")

    with pytest.raises(edits.EditError, match="already a genre called drama"):
        edits.update_genre(genre=genre, editor=editor, values={"name": "drama"}, version=1)
    edits.update_genre(
        genre=genre,
        editor=editor,
        values={"name": "Noir", "description": "Shadows, cynics and rain."},
        version=1,
    )

    assert genre.slug == "noir"
    assert genre.description == "Shadows, cynics and rain."
    assert genre.generated_text.source is TextSource.editor
    assert genre.generated_text.author is editor


def test_a_crew_job_description_counts_its_edits_as_the_version(db):
    editor = make_editor()
    make_crew_credit(make_movie(), make_person(), "Gaffer", "Lighting")

    edits.update_job(
        job="Gaffer", editor=editor, values={"description": "Runs the lights."}, version=0
    )
    with pytest.raises(edits.StaleEditError):
        edits.update_job(job="Gaffer", editor=editor, values={"description": "Other."}, version=0)
    edits.update_job(
        job="Gaffer", editor=editor, values={"description": "Heads the lighting."}, version=1
    )

    assert edits.version_of("Gaffer") == 2
    assert edits.current_values("Gaffer") == {"description": "Heads the lighting."}
    with pytest.raises(edits.catalog.NotFoundError):
        edits.update_job(job="Wizard", editor=editor, values={"description": "x"}, version=0)


def test_a_movie_entered_by_hand_has_a_creation_edit(db):
    editor = make_editor()
    drama = make_genre("Drama")

    movie = edits.create_movie(
        editor=editor,
        values={"title": "Home Movie", "runtime": 12, "genres": [drama], "keywords": ["family"]},
    )

    assert movie.tmdb_id is None
    (line,) = history.of_entity(EntityType.movie, movie.id).items
    edit = history.get(line.id)
    assert edit.action is EditAction.create
    assert {change.field for change in edit.changes} == {"title", "runtime", "genres", "keywords"}
    assert all(change.old_value is None for change in edit.changes)
    assert db.session.query(FieldLock).count() == 0


def test_a_title_save_leaves_mixed_case_keywords_and_genres_alone(db):
    editor = make_editor()
    movie = make_movie("Heat", genres=[make_genre("Thriller"), make_genre("TV Movie")])
    edits.update_movie(
        movie=movie, editor=editor, values={"keywords": ["alien", "Time travel"]}, version=1
    )

    edit = edits.update_movie(
        movie=movie,
        editor=editor,
        values={
            "title": "Heat!",
            "keywords": [keyword.name for keyword in movie.keywords],
            "genres": list(movie.genres),
        },
        version=2,
    )

    assert [change.field for change in edit.changes] == ["title"]


def test_non_latin_keywords_are_found_again_not_added_twice(db):
    from sqlalchemy import func, select

    from app.models import Keyword

    editor = make_editor()
    movie = make_movie("Moscow Nights")
    for version in (1, 2, 3):
        edits.update_movie(
            movie=movie,
            editor=editor,
            values={"keywords": ["Москва", "Édith Piaf"], "tagline": f"take {version}"},
            version=version,
        )

    assert db.session.scalar(select(func.count()).select_from(Keyword)) == 2


def test_a_textarea_sent_back_with_crlf_is_not_a_change(db):
    editor = make_editor()
    person = make_person("Ana", biography="First paragraph.\n\nSecond one.\n")

    edit = edits.update_person(
        person=person,
        editor=editor,
        values={"name": "Ana B", "biography": "First paragraph.\r\n\r\nSecond one."},
        version=1,
    )

    assert [change.field for change in edit.changes] == ["name"]
    assert set(locks.of(EntityType.person, person.id)) == {"name"}


def test_a_revert_that_would_take_another_genres_name_is_refused(db):
    editor = make_editor()
    action, adventure = make_genre("Action"), make_genre("Adventure")
    first = edits.update_genre(genre=action, editor=editor, values={"name": "Fight"}, version=1)
    edits.update_genre(genre=adventure, editor=editor, values={"name": "Action"}, version=1)

    with pytest.raises(edits.EditError, match="already a genre called Action"):
        edits.revert(edit=first, editor=editor)

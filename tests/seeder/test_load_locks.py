"""Load and hand edits: a locked field keeps the editor's value; TMDB's is kept beside it."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Credit, EntityType, FieldLock, Movie, Person
from app.services import edits
from app.services.edits import locks
from tests.factories import make_editor
from tests.seeder.test_load import load
from tests.seeder.tmdb_data import small_catalog


def movie(db, tmdb_id: int) -> Movie:
    return db.session.scalar(select(Movie).where(Movie.tmdb_id == tmdb_id))


def test_a_load_after_an_edit_keeps_the_edited_title_and_stores_tmdbs(db, tmp_path):
    movies, people = small_catalog(movie_count=2, cast_size=2)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    edits.update_movie(
        movie=movie(db, 1), editor=editor, values={"title": "Movie One, fixed"}, version=1
    )
    db.session.commit()

    movies[1]["title"] = "Movie 1 (TMDB's new title)"
    movies[1]["runtime"] = 111
    summary = load(db, tmp_path, movies, people, name="second")

    db.session.expire_all()
    first = movie(db, 1)
    assert first.title == "Movie One, fixed"
    assert first.runtime == 111  # an unlocked field follows TMDB
    lock = locks.of(EntityType.movie, first.id)["title"]
    assert lock.upstream_value == "Movie 1 (TMDB's new title)"
    assert lock.upstream_seen_at is not None
    assert locks.differs(lock, first.title)
    assert summary.movies.updated == 1

    rerun = load(db, tmp_path, movies, people, name="third")
    assert rerun.movies.updated == 0  # nothing new upstream, nothing written
    assert edits.locked_fields_report() == (1, 1)


def test_seed_status_counts_locked_fields_that_differ(db, tmp_path, runner):
    movies, people = small_catalog(movie_count=2, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    edits.update_movie(movie=movie(db, 1), editor=editor, values={"title": "A"}, version=1)
    edits.update_movie(movie=movie(db, 2), editor=editor, values={"runtime": 5}, version=1)
    db.session.commit()
    movies[1]["title"] = "TMDB's A"
    movies[2]["runtime"] = 5  # TMDB came round to the editor's value
    load(db, tmp_path, movies, people, name="second")

    result = runner.invoke(args=["seed", "status"])

    assert result.exit_code == 0, result.output
    assert "hand edits: 2 locked fields, 1 of them differs from TMDB" in result.output


def test_unlocking_takes_tmdbs_value_on_the_next_load(db, tmp_path):
    movies, people = small_catalog(movie_count=1, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    edits.update_movie(movie=movie(db, 1), editor=editor, values={"title": "Mine"}, version=1)
    db.session.commit()
    load(db, tmp_path, movies, people, name="second")
    assert movie(db, 1).title == "Mine"

    edits.unlock_field(entity=movie(db, 1), field="title", editor=editor)
    db.session.commit()
    load(db, tmp_path, movies, people, name="third")

    db.session.expire_all()
    assert movie(db, 1).title == "Movie 1"
    assert db.session.scalar(select(func.count()).select_from(FieldLock)) == 0


def test_accepting_tmdbs_value_writes_it_and_follows_tmdb_again(db, tmp_path):
    movies, people = small_catalog(movie_count=1, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    edits.update_movie(movie=movie(db, 1), editor=editor, values={"runtime": 90}, version=1)
    db.session.commit()
    movies[1]["runtime"] = 101
    load(db, tmp_path, movies, people, name="second")
    assert movie(db, 1).runtime == 90

    edit = edits.accept_upstream(entity=movie(db, 1), field="runtime", editor=editor, version=2)
    db.session.commit()

    assert movie(db, 1).runtime == 101
    assert [(c.old_value, c.new_value) for c in edit.changes] == [(90, 101)]
    assert locks.of(EntityType.movie, movie(db, 1).id) == {}


def test_locked_genres_keywords_and_person_fields_survive_a_load(db, tmp_path):
    movies, people = small_catalog(movie_count=1, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    first = movie(db, 1)
    edits.update_movie(
        movie=first, editor=editor, values={"genres": [], "keywords": ["hand-made"]}, version=1
    )
    actor = db.session.scalar(select(Person).where(Person.tmdb_id == 100))
    edits.update_person(person=actor, editor=editor, values={"name": "Real Name"}, version=1)
    db.session.commit()

    load(db, tmp_path, movies, people, name="second")

    db.session.expire_all()
    first = movie(db, 1)
    assert first.genres == []
    assert [keyword.name for keyword in first.keywords] == ["hand-made"]
    held = locks.of(EntityType.movie, first.id)
    assert [item["name"] for item in held["genres"].upstream_value] == ["Drama"]
    assert [item["name"] for item in held["keywords"].upstream_value] == ["friendship"]
    actor = db.session.scalar(select(Person).where(Person.tmdb_id == 100))
    assert actor.name == "Real Name"
    assert locks.of(EntityType.person, actor.id)["name"].upstream_value == "Actor 1-0"


def test_locked_credits_are_left_alone_and_tmdbs_list_is_kept(db, tmp_path):
    movies, people = small_catalog(movie_count=2, cast_size=2)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    first = movie(db, 1)
    held = locks.of(EntityType.movie, first.id)
    locks.lock(held, entity_type=EntityType.movie, entity_id=first.id, field="credits", by=editor)
    db.session.commit()

    movies[1]["credits"]["cast"] = movies[1]["credits"]["cast"][:1]
    movies[2]["credits"]["cast"] = movies[2]["credits"]["cast"][:1]
    load(db, tmp_path, movies, people, name="second")

    def credit_count(movie_id):
        return db.session.scalar(select(func.count()).where(Credit.movie_id == movie_id))

    assert credit_count(first.id) == 3  # two actors and the director, as locked
    assert credit_count(movie(db, 2).id) == 2  # followed TMDB
    upstream = locks.of(EntityType.movie, first.id)["credits"].upstream_value
    assert [(c["person_name"], c["kind"]) for c in upstream] == [
        ("Actor 1-0", "cast"),
        ("Dana Director", "crew"),
    ]

    movies[1]["credits"] = {"cast": [], "crew": []}
    load(db, tmp_path, movies, people, name="third")
    assert credit_count(first.id) == 3
    assert locks.of(EntityType.movie, first.id)["credits"].upstream_value == []
    assert edits.locked_fields_report() == (1, 1)


def test_taking_tmdbs_credits_replaces_the_hand_made_list(db, tmp_path):
    from app.models import CreditKind
    from app.services.edits import credits

    movies, people = small_catalog(movie_count=1, cast_size=2)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    first = movie(db, 1)
    lead = next(c for c in credits.of_movie(first) if c.kind is CreditKind.cast)
    credits.save(
        movie=first, editor=editor, changes=credits.CreditChanges(removed={lead.id}), version=1
    )
    db.session.commit()
    load(db, tmp_path, movies, people, name="second")
    assert len(credits.of_movie(first)) == 2

    changed = credits.accept_upstream(movie=first, editor=editor, version=2)
    db.session.commit()

    assert changed == 5  # two removed, three added back from TMDB's list
    assert sorted(c.person.name for c in credits.of_movie(first)) == [
        "Actor 1-0",
        "Actor 1-1",
        "Dana Director",
    ]
    assert "credits" not in locks.of(EntityType.movie, first.id)
    load(db, tmp_path, movies, people, name="third")
    assert len(credits.of_movie(first)) == 3  # TMDB's ids came along: nothing doubled


def test_a_reverted_credit_removal_is_not_doubled_by_the_next_load(db, tmp_path):
    from app.models import CreditKind
    from app.services.edits import credits, history

    movies, people = small_catalog(movie_count=1, cast_size=2)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    first = movie(db, 1)
    lead = next(c for c in credits.of_movie(first) if c.kind is CreditKind.cast)
    credits.save(
        movie=first, editor=editor, changes=credits.CreditChanges(removed={lead.id}), version=1
    )
    (line,) = history.of_entity(EntityType.movie, first.id).items
    edits.revert(edit=history.get(line.id), editor=editor)
    db.session.commit()

    load(db, tmp_path, movies, people, name="second")

    assert sorted(c.person.name for c in credits.of_movie(first)) == [
        "Actor 1-0",
        "Actor 1-1",
        "Dana Director",
    ]


def test_loads_do_not_bring_back_merged_or_deleted_pages(db, tmp_path):
    from app.models import Credit, Person
    from app.services.edits import deletes, merges

    movies, people = small_catalog(movie_count=3, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    survivor, duplicate, unused = movie(db, 1), movie(db, 2), movie(db, 3)
    merges.merge(duplicate=duplicate, survivor=survivor, editor=editor)
    deletes.delete(entity=unused, editor=editor)
    actor_one = db.session.scalar(select(Person).where(Person.tmdb_id == 100))
    actor_two = db.session.scalar(select(Person).where(Person.tmdb_id == 200))
    merges.merge(duplicate=actor_two, survivor=actor_one, editor=editor)
    db.session.commit()
    credits_before = db.session.scalar(select(func.count()).select_from(Credit))

    summary = load(db, tmp_path, movies, people, name="second")

    assert db.session.scalar(select(func.count()).select_from(Movie)) == 1
    assert db.session.scalar(select(func.count()).where(Person.tmdb_id == 200)) == 0
    assert db.session.scalar(select(func.count()).select_from(Credit)) == credits_before
    assert summary.movies.left_out == 2
    assert summary.people.left_out == 1
    assert "2 left out (merged or deleted here)" in summary.movies.line("movies")


def test_an_undone_merge_follows_tmdb_again(db, tmp_path):
    from app.models import EditAction
    from app.services.edits import history, merges

    movies, people = small_catalog(movie_count=2, cast_size=1)
    load(db, tmp_path, movies, people, name="first")
    editor = make_editor()
    result = merges.merge(duplicate=movie(db, 2), survivor=movie(db, 1), editor=editor)
    merges.undo(edit=result.edit, editor=editor)
    db.session.commit()
    movies[2]["title"] = "Movie 2, retitled by TMDB"

    load(db, tmp_path, movies, people, name="second")

    assert movie(db, 2).title == "Movie 2, retitled by TMDB"
    assert history.get(result.edit.id).action is EditAction.merge

"""`flask seed sync` and `flask seed refresh --stale` against the stand-in TMDB, two snapshots.

The catalog is loaded from the first snapshot; the server then publishes the
second, logging what changed. After a sync, every changed record in the
catalog equals the second snapshot, and nothing else has moved.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.models import Credit, FieldLock, Movie, Person, SyncKind, SyncRun, SyncStatus
from app.services import syncs
from app.services.edits import catalog as editing
from seeder.load import MOVIE_FIELDS, PERSON_FIELDS, _movie_row, _person_row
from seeder.process import Report, normalize_credits, normalize_movie, normalize_person
from tests.factories import make_editor
from tests.seeder.tmdb_data import (
    ADDED_PERSON_NAME,
    CORRECTED_TITLE,
    NEW_BIOGRAPHY,
    changed_snapshot,
    small_catalog,
)
from tests.seeder.tmdb_server import API_KEY, Reply, TMDBServer
from tests.support import csrf_token, point_at_tmdb

TODAY = datetime.now(UTC).date()


@pytest.fixture
def server():
    """A TMDB-shaped server with eight movies, their casts and a director."""
    movies, people = small_catalog(movie_count=8)
    with TMDBServer(movies=movies, people=people) as running:
        yield running


@pytest.fixture
def loaded(app, runner, db, server, tmp_path, monkeypatch):
    """The catalog loaded from the first snapshot, through `flask seed all`."""
    point_at_tmdb(app, monkeypatch, server.base_url, tmp_path / "output")
    result = runner.invoke(args=["seed", "all", "--ids", ",".join(map(str, sorted(server.movies)))])
    assert result.exit_code == 0, result.output
    return server


def sync(runner, *args: str):
    """Run `flask seed sync …`."""
    return runner.invoke(args=["seed", "sync", *args])


def catalog_state(db) -> dict[str, dict[int, object]]:
    """Every movie (fields, hidden or not, credits) and person (fields), by TMDB id."""
    db.session.expire_all()
    credits: dict[int, set[tuple]] = {}
    rows = db.session.execute(
        select(
            Movie.tmdb_id,
            Person.tmdb_id,
            Credit.kind,
            Credit.character,
            Credit.cast_order,
            Credit.job,
            Credit.tmdb_credit_id,
        )
        .join(Movie, Movie.id == Credit.movie_id)
        .join(Person, Person.id == Credit.person_id)
    )
    for movie, person, kind, character, order, job, credit_id in rows:
        credits.setdefault(movie, set()).add((credit_id, person, kind.name, character, order, job))
    movies = {
        movie.tmdb_id: (
            tuple(getattr(movie, name) for name in MOVIE_FIELDS),
            movie.hidden_at is not None,
            frozenset(credits.get(movie.tmdb_id, ())),
        )
        for movie in db.session.scalars(select(Movie))
    }
    people = {
        person.tmdb_id: tuple(getattr(person, name) for name in PERSON_FIELDS)
        for person in db.session.scalars(select(Person))
    }
    return {"movie": movies, "person": people}


def expected_movie(reply: dict) -> tuple:
    """What the catalog holds for a movie TMDB answers with `reply` (the process rules)."""
    report = Report()
    row = _movie_row(normalize_movie(reply, report))
    credits = frozenset(
        (
            credit["credit_id"],
            credit["person_tmdb_id"],
            credit["kind"],
            credit["character"],
            credit["order"],
            credit["job"],
        )
        for credit in normalize_credits(reply, reply["id"], report, set())
    )
    return (tuple(row[name] for name in MOVIE_FIELDS), False, credits)


def expected_person(reply: dict) -> tuple:
    """What the catalog holds for a person TMDB answers with `reply`."""
    row = _person_row(normalize_person(reply, Report()))
    return tuple(row[name] for name in PERSON_FIELDS)


def test_a_sync_makes_every_changed_record_equal_the_second_snapshot(loaded, runner, db):
    before = catalog_state(db)
    snapshot = changed_snapshot(loaded.movies, loaded.people)
    loaded.publish(movies=snapshot.movies, people=snapshot.people)
    loaded.record_noise("movie", range(50_000, 50_250))  # the feed is mostly other films

    result = sync(runner)

    assert result.exit_code == 0, result.output
    after = catalog_state(db)
    ids = snapshot.ids
    for tmdb_id in snapshot.changed_ids("movie") - {ids.deleted_movie}:
        assert after["movie"][tmdb_id] == expected_movie(snapshot.movies[tmdb_id]), tmdb_id
    changed_people = snapshot.changed_ids("person") - {ids.deleted_person}
    for tmdb_id in changed_people:
        assert after["person"][tmdb_id] == expected_person(snapshot.people[tmdb_id]), tmdb_id
    # Nothing else moved.
    for kind, changed in (("movie", snapshot.changed_ids("movie")), ("person", changed_people)):
        for tmdb_id, state in before[kind].items():
            if tmdb_id not in changed:
                assert after[kind][tmdb_id] == state, (kind, tmdb_id)
    assert after["person"][ids.added_person][1] == ADDED_PERSON_NAME
    assert after["person"][ids.rewritten_person][2] == NEW_BIOGRAPHY
    assert after["movie"][ids.retitled][0][1] == CORRECTED_TITLE
    # TMDB deleted a movie: hidden here, not deleted, and listed.
    fields, hidden, credits = after["movie"][ids.deleted_movie]
    assert hidden
    assert (fields, credits) == before["movie"][ids.deleted_movie][::2]
    assert f"hidden: movie {ids.deleted_movie} Movie {ids.deleted_movie}" in result.output
    assert f"hidden: person {ids.deleted_person}" in result.output
    assert "changed ids seen: 260, in this catalog: 9" in result.output
    run = db.session.scalars(select(SyncRun)).one()
    assert (run.status, run.cursor, run.running_slot) == (SyncStatus.finished, TODAY, None)
    # Six movies and one person answered; movie 6 and person 703 are gone upstream.
    assert "refetched 7: 7 updated, 0 unchanged; 2 hidden (gone from TMDB)" in result.output
    assert run.counts["hidden"] == 2


def test_a_person_tmdb_deleted_is_hidden_and_an_editor_can_show_them_again(
    loaded, runner, db, client, auth
):
    snapshot = changed_snapshot(loaded.movies, loaded.people)
    loaded.publish(movies=snapshot.movies, people=snapshot.people)
    assert sync(runner).exit_code == 0
    gone = db.session.scalar(select(Person).where(Person.tmdb_id == snapshot.ids.deleted_person))
    assert gone.hidden_at is not None

    page = client.get(f"/people/{gone.id}-{gone.slug}")
    listing = client.get("/people/?per_page=96").get_data(as_text=True)
    found = client.get(f"/people/?q={gone.name.replace(' ', '+')}").get_data(as_text=True)

    assert page.status_code == 410
    assert "is no longer in the catalog" in page.get_data(as_text=True)
    assert f"/people/{gone.id}-" not in listing
    assert f"/people/{gone.id}-" not in found
    make_editor()
    db.session.commit()
    auth.login("eddie")
    form_url = f"/people/{gone.id}/unhide"
    shown = client.post(
        form_url,
        data={"csrf_token": csrf_token(client, form_url), "version": str(gone.version)},
    )
    assert shown.status_code == 302
    db.session.refresh(gone)
    assert gone.hidden_at is None
    assert client.get(f"/people/{gone.id}-{gone.slug}").status_code == 200


def test_a_sync_reads_every_page_of_every_window(loaded, runner, db):
    start = TODAY - timedelta(days=20)
    loaded.record_noise("movie", range(60_000, 60_230), day=start)
    loaded.record_change("movie", 4, day=TODAY - timedelta(days=2))

    result = sync(runner, "--since", start.isoformat())

    assert result.exit_code == 0, result.output
    assert f"changes from {start} to {TODAY} (2 windows of up to 14 days)" in result.output
    asked = [
        (request.query["start_date"], request.query["end_date"], request.query["page"])
        for request in loaded.requests_for("/movie/changes")
    ]
    first_end = (start + timedelta(days=13)).isoformat()
    assert asked[:3] == [(start.isoformat(), first_end, str(page)) for page in (1, 2, 3)]
    second = (start + timedelta(days=14)).isoformat()
    assert asked[3:] == [(second, TODAY.isoformat(), "1")]
    assert "in this catalog: 1" in result.output


def test_locked_fields_survive_and_keep_tmdbs_value_beside_them(loaded, runner, db):
    movie = db.session.scalar(select(Movie).where(Movie.tmdb_id == 1))
    editing.update_movie(
        movie=movie,
        editor=make_editor(),
        version=movie.version,
        values={"title": "Our own title"},
        comment="house style",
    )
    db.session.commit()
    snapshot = changed_snapshot(loaded.movies, loaded.people)
    loaded.publish(movies=snapshot.movies, people=snapshot.people)

    assert sync(runner).exit_code == 0

    db.session.refresh(movie)
    assert movie.title == "Our own title"
    assert movie.original_title == CORRECTED_TITLE
    lock = db.session.scalar(select(FieldLock).where(FieldLock.field == "title"))
    assert lock.upstream_value == CORRECTED_TITLE


def test_a_second_sync_starts_where_the_first_ended_and_changes_nothing_new(loaded, runner, db):
    loaded.record_change("movie", 3, day=TODAY - timedelta(days=3))
    assert sync(runner).exit_code == 0
    before = catalog_state(db)

    again = sync(runner)

    assert again.exit_code == 0, again.output
    assert f"changes from {TODAY} to {TODAY}" in again.output
    assert "refetched 0" in again.output
    assert catalog_state(db) == before


def test_a_first_sync_reads_back_to_the_last_fetch_but_no_more_than_14_days(loaded, runner, db):
    db.session.execute(update(Movie).values(fetched_at=datetime.now(UTC) - timedelta(days=3)))
    db.session.commit()
    assert (
        f"changes from {TODAY - timedelta(days=3)} to {TODAY}" in sync(runner, "--dry-run").output
    )

    db.session.execute(update(Movie).values(fetched_at=datetime.now(UTC) - timedelta(days=90)))
    db.session.commit()
    assert (
        f"changes from {TODAY - timedelta(days=13)} to {TODAY}" in sync(runner, "--dry-run").output
    )


def test_a_catalog_loaded_before_fetch_times_were_kept_syncs_from_its_last_load(loaded, runner, db):
    db.session.execute(
        update(Movie).values(fetched_at=None, updated_at=datetime.now(UTC) - timedelta(days=5))
    )
    db.session.commit()
    result = sync(runner, "--dry-run")
    assert f"changes from {TODAY - timedelta(days=5)} to {TODAY}" in result.output


def test_an_empty_catalog_is_told_to_fill_itself_first(runner, db, app, server, monkeypatch):
    monkeypatch.setitem(app.config, "TMDB_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "TMDB_API_BASE_URL", server.base_url)
    result = sync(runner)
    assert result.exit_code == 1
    assert "The catalog has no movies from TMDB yet: fill it first" in result.output


def test_a_dry_run_lists_what_would_be_refetched_and_changes_nothing(loaded, runner, db):
    before = catalog_state(db)
    snapshot = changed_snapshot(loaded.movies, loaded.people)
    loaded.publish(movies=snapshot.movies, people=snapshot.people)

    result = sync(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "would refetch 7 movies and 2 people" in result.output
    assert "  movie 1\n" in result.output
    assert catalog_state(db) == before
    assert not loaded.requests_for("/movie/1")[1:]  # only the first load asked for it
    assert syncs.last_cursor() is None


def test_transient_tmdb_failures_are_retried(loaded, runner, db):
    loaded.record_change("movie", 2)
    loaded.script("/movie/changes", Reply(500), Reply(429, headers={"Retry-After": "0"}))
    loaded.script("/movie/2", Reply(503))

    result = sync(runner)

    assert result.exit_code == 0, result.output
    assert "refetched 1" in result.output


def test_a_record_that_could_not_be_refetched_holds_the_cursor_for_the_next_sync(
    loaded, runner, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "TMDB_MAX_RETRIES", 0)
    start = TODAY - timedelta(days=20)
    loaded.record_change("movie", 2, day=start + timedelta(days=1))  # first window
    loaded.record_change("movie", 5, day=TODAY)  # second window
    loaded.script("/movie/2", Reply(500))

    first = sync(runner, "--since", start.isoformat())
    second = sync(runner)

    assert first.exit_code == 0, first.output
    assert "failed: movie 2: TMDB failed for /movie/2" in first.output
    assert f"The next sync reads from {start} again" in first.output
    assert f"changes from {start} to {TODAY}" in second.output
    assert "refetched 2:" in second.output  # movie 2 this time, and movie 5 again
    assert syncs.last_cursor() == TODAY


def test_a_window_with_more_changes_than_tmdb_lists_is_read_in_halves(loaded, runner, db):
    start = TODAY - timedelta(days=3)
    too_long = {"results": [], "page": 1, "total_pages": 501, "total_results": 50_100}
    loaded.script("/movie/changes", Reply(body=too_long))
    loaded.record_change("movie", 4, day=start)

    result = sync(runner, "--since", start.isoformat())

    assert result.exit_code == 0, result.output
    windows_asked = [
        (request.query.get("start_date"), request.query.get("end_date"))
        for request in loaded.requests_for("/movie/changes")
    ]
    middle = start + timedelta(days=1)
    assert windows_asked == [
        (start.isoformat(), TODAY.isoformat()),
        (start.isoformat(), middle.isoformat()),
        ((middle + timedelta(days=1)).isoformat(), TODAY.isoformat()),
    ]
    assert "refetched 1:" in result.output


def test_a_refused_key_stops_the_sync_at_once_naming_the_setting(
    loaded, runner, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "TMDB_API_KEY", "expired-key")

    result = sync(runner)

    assert result.exit_code == 1
    assert "TMDB refused the credentials (401)" in result.output
    assert "check TMDB_API_KEY" in result.output
    assert "Traceback" not in result.output
    assert len(loaded.requests_for("/movie/changes")) == 1
    run = db.session.scalars(select(SyncRun)).one()
    assert run.status is SyncStatus.failed
    assert run.running_slot is None
    assert "401" in run.error


def test_without_a_key_the_sync_says_what_to_set(loaded, runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "TMDB_API_KEY", None)
    result = sync(runner)
    assert result.exit_code == 1
    assert "set TMDB_API_KEY" in result.output


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ((TODAY + timedelta(days=1)).isoformat(), "is in the future"),
        ("yesterday", "Invalid value for '--since'"),
    ],
)
def test_a_bad_since_is_refused(loaded, runner, since, message):
    result = sync(runner, "--since", since)
    assert result.exit_code in (1, 2)
    assert message in result.output


def test_a_second_sync_refuses_while_one_runs(loaded, runner, db):
    holder = syncs.begin(kind=SyncKind.sync)  # this process: alive
    db.session.commit()

    result = sync(runner)

    assert result.exit_code == 1
    assert f"Another sync is running (run {holder.id}" in result.output
    assert "try again when it ends" in result.output


def test_a_live_run_on_this_machine_keeps_its_lock_however_old_its_heartbeat(loaded, runner, db):
    holder = syncs.begin(kind=SyncKind.sync)
    holder.heartbeat_at = datetime.now(UTC) - timedelta(hours=5)  # a long fetch, say
    db.session.commit()
    assert sync(runner).exit_code == 1


def test_a_run_on_another_machine_is_taken_over_once_its_heartbeat_is_stale(loaded, runner, db):
    other = syncs.begin(kind=SyncKind.sync)
    other.host, other.heartbeat_at = "elsewhere", datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    assert sync(runner).exit_code == 1  # five minutes: still alive
    other.heartbeat_at = datetime.now(UTC) - syncs.STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert sync(runner).exit_code == 0
    db.session.refresh(other)
    assert other.status is SyncStatus.interrupted


def test_the_lock_of_a_run_whose_process_died_is_taken_over(loaded, runner, db):
    dead = syncs.begin(kind=SyncKind.sync)
    dead.pid = _pid_not_running()
    db.session.commit()

    result = sync(runner)

    assert result.exit_code == 0, result.output
    db.session.refresh(dead)
    assert dead.status is SyncStatus.interrupted
    assert dead.running_slot is None


def test_refresh_stale_refetches_the_oldest_records_first(loaded, runner, db):
    now = datetime.now(UTC)
    db.session.execute(update(Movie).values(fetched_at=now))
    db.session.execute(update(Person).values(fetched_at=now))
    # Movie 1 is old (released 2010) and fetched 40 days ago; movie 2 is old and fetched
    # 10 days ago: only the first is due. Movie 3 is unreleased, fetched two days ago: due.
    db.session.execute(
        update(Movie).where(Movie.tmdb_id == 1).values(fetched_at=now - timedelta(days=40))
    )
    db.session.execute(
        update(Movie).where(Movie.tmdb_id == 2).values(fetched_at=now - timedelta(days=10))
    )
    db.session.execute(
        update(Movie)
        .where(Movie.tmdb_id == 3)
        .values(release_date=TODAY + timedelta(days=30), fetched_at=now - timedelta(days=2))
    )
    db.session.commit()

    dry = runner.invoke(args=["seed", "refresh", "--stale", "--dry-run"])
    result = runner.invoke(args=["seed", "refresh", "--stale"])
    again = runner.invoke(args=["seed", "refresh", "--stale", "--dry-run"])

    assert "would refetch 2 movies and 0 people" in dry.output
    assert "  movie 1\n  movie 3\n" in dry.output
    assert result.exit_code == 0, result.output
    assert "refetched 2" in result.output
    assert "would refetch 0 movies and 0 people" in again.output
    fetched = dict(db.session.execute(select(Movie.tmdb_id, Movie.fetched_at)).all())
    assert fetched[1] > now - timedelta(minutes=5)
    assert fetched[2] < now - timedelta(days=9)


def _pid_not_running() -> int:
    pid = 999_999
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_windows_are_at_most_14_days_and_cover_every_day():
    from seeder.sync import windows

    spans = windows(date(2026, 1, 1), date(2026, 1, 31))
    assert spans == [
        (date(2026, 1, 1), date(2026, 1, 14)),
        (date(2026, 1, 15), date(2026, 1, 28)),
        (date(2026, 1, 29), date(2026, 1, 31)),
    ]
    assert windows(date(2026, 1, 1), date(2026, 1, 1)) == [(date(2026, 1, 1), date(2026, 1, 1))]


def test_refresh_stale_includes_people_of_unknown_age(loaded, runner, db):
    now = datetime.now(UTC)
    db.session.execute(update(Movie).values(fetched_at=now))
    db.session.execute(update(Person).values(fetched_at=now))
    db.session.execute(update(Person).where(Person.tmdb_id == 100).values(fetched_at=None))
    db.session.commit()

    dry = runner.invoke(args=["seed", "refresh", "--stale", "--dry-run"])

    assert "would refetch 0 movies and 1 people" in dry.output
    assert "  person 100\n" in dry.output

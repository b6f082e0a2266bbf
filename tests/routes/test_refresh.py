"""Refresh from TMDB (an editor, one page) and the admins' Sync now, run as background jobs."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from app import jobs
from app.models import JobStatus, Movie, Person, Role, SyncRun
from tests.routes.test_admin import sign_in_as
from tests.support import csrf_token, point_at_tmdb


@pytest.fixture
def tmdb(app, runner, db, tmdb_server, tmp_path, monkeypatch):
    """The stand-in TMDB's catalog (movies 1–3) loaded, and the app pointed at it."""
    point_at_tmdb(app, monkeypatch, tmdb_server.base_url, tmp_path / "output")
    result = runner.invoke(args=["seed", "fetch", "--ids", "1,2,3"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["seed", "process"]).exit_code == 0
    assert runner.invoke(args=["seed", "load"]).exit_code == 0
    return tmdb_server


def movie(db, tmdb_id: int) -> Movie:
    return db.session.scalar(select(Movie).where(Movie.tmdb_id == tmdb_id))


def post_refresh(client, url: str):
    return client.post(url, data={"csrf_token": csrf_token(client, url)})


def test_the_refresh_page_is_for_editors(client, auth, db, tmdb):
    url = f"/movies/{movie(db, 1).id}/refresh"
    assert client.get(url).status_code == 302
    sign_in_as(client, auth, db, "mia", Role.member)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": csrf_token(client, "/account")}).status_code == 403


def test_an_editor_refreshes_a_movie_and_follows_the_job_to_its_result(
    client, editor, db, tmdb, pending_jobs
):
    heat = movie(db, 1)
    page = client.get(f"/movies/{heat.id}-{heat.slug}").get_data(as_text=True)
    assert f'href="/movies/{heat.id}/refresh">Refresh from TMDB</a>' in page
    changed = copy.deepcopy(tmdb.movies[1])
    changed.update(title="Movie One, Restored", runtime=131)
    tmdb.publish(movies={**tmdb.movies, 1: changed})

    response = post_refresh(client, f"/movies/{heat.id}/refresh")

    assert response.status_code == 302
    job = jobs.recent().items[0]
    assert response.headers["Location"] == f"/progress/{job.id}"
    assert job.user_id == editor.id
    assert job.subject == f"movie:{heat.id}"
    waiting = client.get(f"/progress/{job.id}").get_data(as_text=True)
    assert "Refresh Movie 1 from TMDB" in waiting
    assert "Queued" in waiting
    assert jobs.run_pending() == 1
    shown = client.get(f"/progress/{job.id}.json").get_json()
    assert shown["status"] == "finished"
    assert shown["result"] == [
        "Refetched Movie 1 from TMDB.",
        "Changed: title, runtime.",
    ]
    db.session.refresh(heat)
    assert (heat.title, heat.runtime) == ("Movie One, Restored", 131)
    last = client.get(f"/movies/{heat.id}/refresh").get_data(as_text=True)
    assert "Last refresh" in last
    assert "Changed: title, runtime." in last


def test_pressing_twice_gives_the_same_job(client, editor, db, tmdb, pending_jobs):
    url = f"/people/{db.session.scalar(select(Person.id).where(Person.tmdb_id == 100))}/refresh"
    first = post_refresh(client, url)
    page = client.get(url).get_data(as_text=True)
    second = client.post(url, data={"csrf_token": csrf_token(client, "/account")})

    assert first.headers["Location"] == second.headers["Location"]
    assert "A refresh is already under way." in page
    assert pending_jobs == [jobs.recent().items[0].id]


def test_without_a_tmdb_key_the_page_says_what_to_set(client, editor, db, tmdb, app, monkeypatch):
    monkeypatch.setitem(app.config, "TMDB_API_KEY", None)
    url = f"/movies/{movie(db, 2).id}/refresh"

    page = client.get(url).get_data(as_text=True)
    posted = client.post(
        url, data={"csrf_token": csrf_token(client, "/account")}, follow_redirects=True
    )

    assert "needs a TMDB key" in page
    assert "TMDB_API_KEY" in page
    assert ">Refresh from TMDB</button>" not in page
    assert posted.status_code == 200
    assert "needs a TMDB key" in posted.get_data(as_text=True)
    assert jobs.recent().total == 0


def test_a_movie_made_here_has_nothing_to_refresh(client, editor, db, tmdb):
    made_here = movie(db, 3)
    made_here.tmdb_id = None
    db.session.commit()
    page = client.get(f"/movies/{made_here.id}/refresh").get_data(as_text=True)
    assert "nothing on TMDB to refetch" in page
    detail = client.get(f"/movies/{made_here.id}-{made_here.slug}").get_data(as_text=True)
    assert "Refresh from TMDB" not in detail


def test_a_movie_tmdb_deleted_is_hidden_by_its_refresh(client, editor, db, tmdb, pending_jobs):
    gone = movie(db, 2)
    tmdb.publish(movies={key: value for key, value in tmdb.movies.items() if key != 2})

    post_refresh(client, f"/movies/{gone.id}/refresh")
    jobs.run_pending()

    db.session.refresh(gone)
    assert gone.hidden_at is not None
    assert jobs.recent().items[0].result == [
        "TMDB no longer has Movie 2, so it is now hidden (an editor can show it again)."
    ]


def test_a_refresh_tmdb_keeps_failing_is_tried_again_then_fails(
    client, editor, db, tmdb, pending_jobs, app, monkeypatch
):
    from tests.seeder.tmdb_server import Reply

    monkeypatch.setitem(app.config, "TMDB_MAX_RETRIES", 0)
    tmdb.script("/movie/1", *[Reply(500)] * 3)

    post_refresh(client, f"/movies/{movie(db, 1).id}/refresh")
    jobs.run_pending()

    job = jobs.recent().items[0]
    assert job.status is JobStatus.failed
    assert job.attempts == 3
    assert "TMDB failed for /movie/1" in job.error


def test_an_admin_starts_a_sync_as_a_job_and_sees_the_run(client, auth, db, tmdb, pending_jobs):
    sign_in_as(client, auth, db, "ada", Role.admin)
    tmdb.record_change("movie", 3)

    response = client.post(
        "/admin/jobs/start/sync", data={"csrf_token": csrf_token(client, "/admin/jobs")}
    )
    jobs.run_pending()

    assert response.status_code == 302
    job = jobs.recent().items[0]
    assert job.status is JobStatus.finished, job.error
    assert any(line.startswith("refetched 1:") for line in job.result)
    run = db.session.scalars(select(SyncRun)).one()
    assert run.job_id == job.id
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert f"#{run.id} sync" in page
    assert "refetched 1" in page

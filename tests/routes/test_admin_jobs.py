"""The background jobs pages: the admin list, one job, cancel and retry, a starter's progress."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import jobs
from app.models import Job, JobStatus, Role
from app.models.mixins import utcnow
from tests.factories import make_user
from tests.jobs import tasks
from tests.routes.test_admin import sign_in_as
from tests.support import csrf_token


@pytest.fixture
def admin(client, auth, db):
    return sign_in_as(client, auth, db, "ada", Role.admin)


def queued(label: str, *, user=None, function=tasks.count, **arguments):
    if function is tasks.count:
        arguments = arguments or {"to": 3}
    return jobs.enqueue(function, label=label, arguments=arguments, user=user)


def test_the_jobs_page_is_for_admins_only(client, auth, db):
    assert client.get("/admin/jobs").status_code == 302
    sign_in_as(client, auth, db, "eddie", Role.editor)
    assert client.get("/admin/jobs").status_code == 403
    assert client.get("/admin/jobs/1").status_code == 403


def test_the_jobs_page_lists_jobs_with_progress_outcome_and_who_started_them(
    client, admin, db, pending_jobs
):
    finished = queued("Count to three", user=admin)
    failed = queued("Always fails", function=tasks.broken)
    db.session.commit()
    jobs.run_pending()
    waiting = queued("Still waiting")
    db.session.commit()

    page = client.get("/admin/jobs").get_data(as_text=True)

    assert "Manual: jobs wait" in page
    for job in (finished, failed, waiting):
        assert f'href="/admin/jobs/{job.id}"' in page
    assert "counted to 3" in page
    assert "ValueError: this job always fails" in page
    assert re.search(r'<progress[^>]*value="100"', page)
    assert f'data-job-poll="/progress/{waiting.id}.json" data-job-active="true"' in page
    assert "<td>ada</td>" in page
    assert "the system" in page
    assert f'action="/admin/jobs/{failed.id}/retry"' in page
    assert f'action="/admin/jobs/{waiting.id}/cancel"' in page
    assert f'action="/admin/jobs/{finished.id}/retry"' not in page
    only_failed = client.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert f'href="/admin/jobs/{failed.id}"' in only_failed
    assert f'href="/admin/jobs/{finished.id}"' not in only_failed
    assert client.get("/admin/jobs?status=nonsense").status_code == 200


def test_one_job_shows_its_traceback(client, admin, db, pending_jobs):
    failed = queued("Always fails", function=tasks.broken)
    db.session.commit()
    jobs.run_pending()

    page = client.get(f"/admin/jobs/{failed.id}").get_data(as_text=True)

    assert "Traceback of the last failure" in page
    assert "raise ValueError(&#34;this job always fails&#34;)" in page
    assert client.get("/admin/jobs/999999").status_code == 404


def test_an_admin_retries_a_failed_job(client, admin, db, pending_jobs):
    failed = queued("Always fails", function=tasks.broken)
    db.session.commit()
    jobs.run_pending()

    response = client.post(
        f"/admin/jobs/{failed.id}/retry",
        data={"csrf_token": csrf_token(client, "/admin/jobs"), "status": "failed"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/jobs?status=failed"
    again = jobs.recent().items[0]
    assert again.retry_of_id == failed.id
    assert again.user_id == admin.id
    assert pending_jobs == [again.id]
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert f"Queued again as job {again.id}." in page


def test_an_admin_cancels_a_queued_job_and_cannot_cancel_it_twice(client, admin, db, pending_jobs):
    job = queued("Waiting")
    db.session.commit()
    token = csrf_token(client, "/admin/jobs")

    first = client.post(f"/admin/jobs/{job.id}/cancel", data={"csrf_token": token})
    second = client.post(
        f"/admin/jobs/{job.id}/cancel",
        data={"csrf_token": token, "from": "job"},
        follow_redirects=True,
    )

    assert first.status_code == 302
    db.session.refresh(job)
    assert job.status is JobStatus.cancelled
    assert pending_jobs == []
    assert "That job has already ended." in second.get_data(as_text=True)


def test_cancel_and_retry_need_the_csrf_token(client, admin, db, pending_jobs):
    job = queued("Waiting")
    db.session.commit()
    client.post(f"/admin/jobs/{job.id}/cancel", data={})
    db.session.refresh(job)
    assert job.status is JobStatus.queued


def test_the_starter_follows_progress_and_others_get_404(client, auth, db, pending_jobs):
    owner = make_user("ana")
    job = queued("Refresh Heat from TMDB", user=owner)
    db.session.commit()
    auth.login("ana")

    page = client.get(f"/progress/{job.id}").get_data(as_text=True)
    waiting = client.get(f"/progress/{job.id}.json").get_json()
    jobs.run_pending()
    done = client.get(f"/progress/{job.id}.json")

    assert "Refresh Heat from TMDB" in page
    assert "/static/js/jobs." in page
    assert waiting["status"] == "queued"
    assert waiting["active"] is True
    assert done.headers["Cache-Control"] == "no-store"
    assert done.get_json()["result"] == ["counted to 3"]
    assert done.get_json()["percent"] == 100
    auth.logout()
    make_user("bea")
    db.session.commit()
    auth.login("bea")
    assert client.get(f"/progress/{job.id}").status_code == 404
    assert client.get(f"/progress/{job.id}.json").status_code == 404


def test_healthz_says_which_engine_runs_jobs(client):
    assert client.get("/healthz").get_json()["jobs"] == "manual"


def test_a_running_job_shows_how_far_it_got(client, admin, db, pending_jobs):
    job = queued("Counting")
    job.status, job.done, job.total, job.message = JobStatus.running, 3, 10, "at 3"
    job.started_at = job.heartbeat_at = utcnow()
    db.session.commit()

    page = client.get("/admin/jobs").get_data(as_text=True)

    assert re.search(r'<progress[^>]*value="30"', page)
    assert "3 of 10" in page
    assert "at 3" in page
    assert f'action="/admin/jobs/{job.id}/cancel"' in page


def test_a_starter_watching_a_job_whose_worker_died_sees_it_failed(client, auth, db, app):
    owner = make_user("ana")
    job = queued("Refresh", user=owner)
    job.status = JobStatus.running
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["JOBS_LOST_AFTER_SECONDS"] + 5)
    db.session.commit()
    auth.login("ana")

    shown = client.get(f"/progress/{job.id}.json").get_json()

    assert shown["status"] == "failed"
    assert "worker stopped" in shown["error"]


def test_editors_follow_page_refreshes_other_editors_started(client, auth, db, pending_jobs):
    from tests.factories import make_editor

    starter = make_editor("eve")
    refresh_job = Job(
        name="seeder.jobs.refresh_record",
        label="Refresh Heat from TMDB",
        engine="manual",
        arguments={"kind": "movie", "entity_id": 1},
        user=starter,
    )
    db.session.add(refresh_job)
    other = queued("Something of eve's", user=starter)
    db.session.commit()
    sign_in_as(client, auth, db, "eddie", Role.editor)

    assert client.get(f"/progress/{refresh_job.id}.json").status_code == 200
    assert client.get(f"/progress/{other.id}.json").status_code == 404

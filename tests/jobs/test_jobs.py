"""The job service with the manual engine: jobs run here, inside the test's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.jobs import registry
from app.jobs.runner import perform
from app.models import Genre, Job, JobStatus
from app.models.mixins import utcnow
from tests.factories import make_admin, make_user
from tests.jobs import tasks


def test_a_job_is_handed_over_only_when_the_caller_commits(db, pending_jobs):
    job = jobs.enqueue(tasks.count, label="Count to three", arguments={"to": 3})
    assert pending_jobs == []
    db.session.commit()
    assert pending_jobs == [job.id]
    assert job.status is JobStatus.queued
    assert job.engine == "manual"


def test_a_rolled_back_job_is_never_handed_over(db, pending_jobs):
    jobs.enqueue(tasks.count, label="Count", arguments={"to": 3})
    db.session.rollback()
    db.session.commit()
    assert pending_jobs == []


def test_a_job_runs_reports_progress_and_keeps_its_result(db, pending_jobs):
    ana = make_user("ana")
    job = jobs.enqueue(tasks.count, label="Count to five", arguments={"to": 5}, user=ana)
    db.session.commit()

    assert jobs.run_pending() == 1

    db.session.refresh(job)
    assert job.status is JobStatus.finished
    assert (job.done, job.total, job.message) == (5, 5, "at 5")
    assert job.result == ["counted to 5"]
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    shown = jobs.shown(job)
    assert shown["state"] == "Finished"
    assert shown["percent"] == 100
    assert shown["count"] == "5 of 5"
    assert not shown["active"]


def test_a_transient_failure_is_tried_again_until_it_works(app, db, pending_jobs, tmp_path):
    tries = tmp_path / "tries"
    job = jobs.enqueue(
        tasks.flaky, label="Flaky", arguments={"tries_file": str(tries), "failures": 2}
    )
    db.session.commit()

    jobs.run_pending()  # each failed try hands the job back to the engine

    db.session.refresh(job)
    assert tries.read_text() == "3"
    assert job.status is JobStatus.finished
    assert job.attempts == 3
    assert job.result == ["worked on try 3"]


def test_a_transient_failure_gives_up_after_the_last_try(db, pending_jobs, tmp_path):
    job = jobs.enqueue(
        tasks.flaky, label="Flaky", arguments={"tries_file": str(tmp_path / "t"), "failures": 9}
    )
    db.session.commit()

    jobs.run_pending()

    db.session.refresh(job)
    assert job.status is JobStatus.failed
    assert job.attempts == 3
    assert job.error == "FlakyError: try 3 of a flaky job"
    assert "raise FlakyError" in job.traceback


def test_a_failure_that_is_not_transient_fails_at_once_with_its_traceback(db, pending_jobs):
    job = jobs.enqueue(tasks.broken, label="Broken")
    db.session.commit()

    jobs.run_pending()

    db.session.refresh(job)
    assert job.status is JobStatus.failed
    assert job.attempts == 1
    assert job.error == "ValueError: this job always fails"
    assert 'raise ValueError("this job always fails")' in job.traceback


def test_what_a_job_committed_stays(db, pending_jobs):
    jobs.enqueue(tasks.add_genre, label="Add a genre", arguments={"name": "Mumblecore"})
    db.session.commit()
    jobs.run_pending()
    assert db.session.scalar(select(Genre).where(Genre.name == "Mumblecore")) is not None


def test_a_retry_is_a_new_job_pointing_at_the_failed_one(db, pending_jobs):
    admin = make_admin()
    failed = jobs.enqueue(tasks.broken, label="Broken")
    db.session.commit()
    jobs.run_pending()

    again = jobs.retry(failed, by=admin)
    db.session.commit()

    assert again.id != failed.id
    assert again.retry_of_id == failed.id
    assert again.user == admin
    assert again.status is JobStatus.queued
    assert pending_jobs == [again.id]


@pytest.mark.parametrize("status", [JobStatus.queued, JobStatus.running, JobStatus.finished])
def test_only_ended_unfinished_jobs_can_be_retried(db, pending_jobs, status):
    job = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    job.status = status
    with pytest.raises(jobs.JobError):
        jobs.retry(job, by=make_admin())


def test_cancelling_a_queued_job_means_it_never_runs(db, pending_jobs):
    admin = make_admin()
    job = jobs.enqueue(tasks.add_genre, label="Add", arguments={"name": "Never"})
    db.session.commit()

    message = jobs.cancel(job, by=admin)
    db.session.commit()
    perform(job.id)

    assert message == "Cancelled before it ran."
    assert job.status is JobStatus.cancelled
    assert "curator" in job.error
    assert db.session.scalar(select(Genre).where(Genre.name == "Never")) is None


def test_cancelling_a_running_job_asks_it_to_stop(db, pending_jobs):
    job = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    job.status = JobStatus.running
    assert "stop" in jobs.cancel(job, by=make_admin())
    assert job.cancel_requested
    assert jobs.shown(job)["state"] == "Stopping"


def test_an_ended_job_cannot_be_cancelled(db, pending_jobs):
    job = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    job.status = JobStatus.finished
    with pytest.raises(jobs.JobError, match="already ended"):
        jobs.cancel(job, by=make_admin())


def test_a_unique_job_is_not_started_twice_for_one_subject(db, pending_jobs):
    first = jobs.enqueue(
        tasks.count, label="A", arguments={"to": 1}, subject="movie:1", unique=True
    )
    second = jobs.enqueue(
        tasks.count, label="B", arguments={"to": 1}, subject="movie:1", unique=True
    )
    other = jobs.enqueue(
        tasks.count, label="C", arguments={"to": 1}, subject="movie:2", unique=True
    )
    assert second is first
    assert other is not first
    assert jobs.active_for("movie:1") is first


def test_an_unknown_job_function_is_refused(db):
    with pytest.raises(jobs.JobError, match="No job function"):
        jobs.enqueue("tests.jobs.tasks.nothing_here", label="Nothing")
    with pytest.raises(jobs.JobError, match="No job function"):
        jobs.enqueue("no_such_module.anything", label="Nothing")
    assert registry.get(tasks.count.job_name).attempts == 3


def test_a_running_job_whose_heartbeat_stopped_is_shown_as_failed(app, db, pending_jobs):
    job = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    job.status = JobStatus.running
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["JOBS_LOST_AFTER_SECONDS"] + 1)
    fresh = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    fresh.status, fresh.heartbeat_at = JobStatus.running, utcnow()

    assert jobs.reconcile() == 1

    assert job.status is JobStatus.failed
    assert "worker stopped" in job.error
    assert fresh.status is JobStatus.running


def test_a_job_of_another_engine_left_queued_is_shown_as_failed(db, pending_jobs):
    job = jobs.enqueue(tasks.count, label="Count", arguments={"to": 1})
    job.engine = "threads"
    assert jobs.reconcile() == 1
    assert "threads engine" in job.error


def test_the_list_is_newest_first_and_filtered_by_status(db, pending_jobs):
    done = jobs.enqueue(tasks.count, label="Done", arguments={"to": 1})
    waiting = jobs.enqueue(tasks.count, label="Waiting", arguments={"to": 1})
    done.status = JobStatus.finished
    db.session.flush()

    assert [job.id for job in jobs.recent().items][:2] == [waiting.id, done.id]
    assert [job.id for job in jobs.recent(status=JobStatus.finished).items] == [done.id]
    assert jobs.counts()[JobStatus.queued] >= 1
    assert db.session.get(Job, done.id) is done


def test_retries_wait_four_times_longer_each_time_with_jitter_up_to_an_hour():
    from app.jobs.runner import retry_wait

    waits = [retry_wait(attempt, 30.0) for attempt in (1, 2, 3)]
    assert 22.5 <= waits[0] <= 30
    assert 90 <= waits[1] <= 120
    assert 360 <= waits[2] <= 480
    assert 2700 <= retry_wait(20, 30.0) <= 3600
    assert retry_wait(1, 0.0) == 0


def test_a_job_claimed_by_one_delivery_is_not_run_by_another(db, pending_jobs):
    job = jobs.enqueue(tasks.add_genre, label="Add", arguments={"name": "Twice"})
    db.session.commit()
    perform(job.id)
    perform(job.id)  # RQ delivers at least once
    assert len(db.session.scalars(select(Genre).where(Genre.name == "Twice")).all()) == 1


def test_a_job_speaks_the_language_of_whoever_queued_it(app, db, pending_jobs):
    from flask_babel import force_locale

    english = jobs.enqueue(tasks.speak, label="Speak")  # no request: the default locale
    with force_locale("pt_BR"):  # as a request from a Brazilian browser is served
        portuguese = jobs.enqueue(tasks.speak, label="Speak")
    db.session.commit()

    assert jobs.run_pending() == 2

    db.session.refresh(portuguese)
    db.session.refresh(english)
    assert (portuguese.locale, english.locale) == ("pt-BR", "en")
    assert (portuguese.message, portuguese.result) == ("Filmes", ["Pessoas"])
    assert (english.message, english.result) == ("Movies", ["People"])


def test_a_retry_keeps_the_locale_of_the_job_it_retries(app, db, pending_jobs):
    from flask_babel import force_locale

    with force_locale("pt_BR"):
        failed = jobs.enqueue(tasks.broken, label="Broken")
    db.session.commit()
    jobs.run_pending()
    db.session.refresh(failed)

    again = jobs.enqueue(tasks.broken, label="Broken", retry_of=failed)

    assert again.locale == "pt-BR"


def test_a_job_queued_by_a_job_keeps_its_language(app, db, pending_jobs):
    from flask_babel import force_locale

    with force_locale("pt_BR"):  # as the runner runs a job a Brazilian member queued
        queued = jobs.enqueue(tasks.speak, label="Speak")

    assert queued.locale == "pt-BR"

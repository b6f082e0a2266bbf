"""A member's own data through the API: ratings and reviews, watchlist, diary, imports, jobs.

Each endpoint acts on the token's member alone: another member's rows are
never shown, changed or even confirmed to exist.
"""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.models import DiaryEntry, Import, WatchlistEntry
from app.models.mixins import utcnow
from app.services import diary, reviews, watchlist
from app.services.imports.runner import run_import
from tests.api.conftest import token_for
from tests.exports import letterboxd_zip
from tests.factories import make_movie, make_user


@pytest.fixture
def heat(db):
    movie = make_movie("Heat", release_date=date(1995, 12, 15))
    db.session.commit()
    return movie


def test_me_says_who_and_how_much(client, db, member, writer, heat):
    reviews.upsert(user=member, movie=heat, rating=8, body=None, spoilers=False, recommends=None)
    watchlist.add(member, make_movie("Thief"))
    diary.log(member, heat, date(2024, 5, 1))
    db.session.commit()

    me = client.get("/api/v1/me", headers=writer).get_json()

    assert (me["username"], me["ratings"], me["watchlist"], me["diary_entries"]) == ("ana", 1, 1, 1)
    assert me["token"] == {"name": "tests", "scopes": ["read", "write"], "expires_at": None}
    assert me["profile_url"] == "http://localhost/users/ana"


def test_rate_review_change_and_delete(client, db, member, writer, heat):
    url = f"/api/v1/me/reviews/{heat.id}"

    made = client.put(
        url,
        json={"rating": 7, "body": "  Tense.\r\n\r\nLong. ", "recommends": True},
        headers=writer,
    )
    changed = client.put(url, json={"rating": 9}, headers=writer)

    assert made.status_code == 200
    assert made.get_json()["body"] == "Tense.\n\nLong."
    assert changed.get_json()["rating"] == 9
    assert changed.get_json()["body"] is None
    assert client.get(url, headers=writer).get_json()["rating"] == 9
    listed = client.get("/api/v1/me/reviews", headers=writer).get_json()
    assert [(r["movie_id"], r["rating"]) for r in listed["items"]] == [(heat.id, 9)]
    assert client.get(f"/api/v1/movies/{heat.id}").get_json()["review_count"] == 1

    assert client.delete(url, headers=writer).status_code == 204
    assert client.get(url, headers=writer).status_code == 404
    assert client.delete(url, headers=writer).status_code == 404
    assert client.get(f"/api/v1/movies/{heat.id}").get_json()["review_count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 11}, "rating"),
        ({"rating": "9"}, "rating"),
        ({"rating": True}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "body": "x" * 5001}, "body"),
        ({"rating": 5, "recommends": "yes"}, "recommends"),
        ({"rating": 5, "stars": 3}, "stars"),
    ],
)
def test_a_review_refused_names_its_field_and_saves_nothing(client, writer, heat, body, field):
    response = client.put(f"/api/v1/me/reviews/{heat.id}", json=body, headers=writer)

    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == [field]
    assert client.get("/api/v1/me/reviews", headers=writer).get_json()["total"] == 0


def test_a_body_that_is_not_json_is_refused(client, writer, heat):
    response = client.put(
        f"/api/v1/me/reviews/{heat.id}",
        data="rating=9",
        headers={**writer, "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_watchlist_add_is_idempotent_and_remove_says_when_nothing_was_there(client, writer, heat):
    url = f"/api/v1/me/watchlist/{heat.id}"

    added, again = client.put(url, headers=writer), client.put(url, headers=writer)

    assert (added.status_code, again.status_code) == (201, 200)
    assert added.get_json()["movie"]["title"] == "Heat"
    listed = client.get("/api/v1/me/watchlist", headers=writer).get_json()
    assert [entry["movie"]["id"] for entry in listed["items"]] == [heat.id]
    assert client.delete(url, headers=writer).status_code == 204
    assert client.delete(url, headers=writer).status_code == 404


def test_watchlist_lists_latest_added_first(client, db, member, writer):
    first, second = make_movie("First"), make_movie("Second")
    watchlist.add(member, first)
    watchlist.add(member, second)
    entries = db.session.scalars(select(WatchlistEntry).order_by(WatchlistEntry.id)).all()
    entries[0].added_at -= timedelta(days=1)
    db.session.commit()

    listed = client.get("/api/v1/me/watchlist", headers=writer).get_json()

    assert [entry["movie"]["title"] for entry in listed["items"]] == ["Second", "First"]


def test_diary_log_read_narrow_and_delete(client, writer, heat):
    logged = client.post(
        "/api/v1/me/diary", json={"movie_id": heat.id, "watched_on": "2024-05-01"}, headers=writer
    )
    client.post(
        "/api/v1/me/diary", json={"movie_id": heat.id, "watched_on": "2023-02-01"}, headers=writer
    )

    assert logged.status_code == 201
    entry = logged.get_json()
    assert (entry["watched_on"], entry["movie"]["title"]) == ("2024-05-01", "Heat")
    assert client.get(f"/api/v1/me/diary/{entry['id']}", headers=writer).status_code == 200
    everything = client.get("/api/v1/me/diary", headers=writer).get_json()
    in_2023 = client.get("/api/v1/me/diary?year=2023", headers=writer).get_json()
    assert [e["watched_on"] for e in everything["items"]] == ["2024-05-01", "2023-02-01"]
    assert [e["watched_on"] for e in in_2023["items"]] == ["2023-02-01"]
    assert client.delete(f"/api/v1/me/diary/{entry['id']}", headers=writer).status_code == 204
    assert client.get(f"/api/v1/me/diary/{entry['id']}", headers=writer).status_code == 404


def test_a_viewing_in_the_future_or_of_no_movie_is_refused(client, writer, heat):
    future = (date.today() + timedelta(days=3)).isoformat()

    tomorrow = client.post(
        "/api/v1/me/diary", json={"movie_id": heat.id, "watched_on": future}, headers=writer
    )
    nothing = client.post(
        "/api/v1/me/diary", json={"movie_id": 999999, "watched_on": "2024-01-01"}, headers=writer
    )

    assert tomorrow.status_code == 422
    assert tomorrow.get_json()["errors"][0]["field"] == "watched_on"
    assert nothing.status_code == 404
    assert client.get("/api/v1/me/diary", headers=writer).get_json()["total"] == 0


def test_another_member_s_data_is_out_of_reach(client, db, member, writer, heat):
    bruno = make_user("bruno")
    reviews.upsert(user=bruno, movie=heat, rating=2, body="Dull.", spoilers=False, recommends=None)
    entry = diary.log(bruno, heat, date(2024, 1, 1))
    job = jobs.enqueue(run_import, label="Bruno's import", user=bruno, arguments={"import_id": 0})
    db.session.commit()

    assert client.get(f"/api/v1/me/reviews/{heat.id}", headers=writer).status_code == 404
    assert client.delete(f"/api/v1/me/reviews/{heat.id}", headers=writer).status_code == 404
    assert client.get(f"/api/v1/me/diary/{entry.id}", headers=writer).status_code == 404
    assert client.delete(f"/api/v1/me/diary/{entry.id}", headers=writer).status_code == 404
    assert client.get(f"/api/v1/me/jobs/{job.id}", headers=writer).status_code == 404
    assert client.get("/api/v1/me/jobs", headers=writer).get_json()["total"] == 0
    assert client.get("/api/v1/me/reviews", headers=writer).get_json()["total"] == 0
    db.session.expire_all()
    assert reviews.of(bruno, heat).rating == 2
    assert db.session.get(DiaryEntry, entry.id) is not None


def test_an_import_uploaded_runs_and_reports(client, db, member, writer, sample, pending_jobs):
    export = letterboxd_zip(
        {
            "ratings.csv": [
                {"Date": "2023-01-02", "Name": "Godfather, The", "Year": "1972", "Rating": "4.5"}
            ]
        }
    )

    started = client.post(
        "/api/v1/me/imports",
        data={"export": (io.BytesIO(export), "letterboxd-ana.zip")},
        headers=writer,
        content_type="multipart/form-data",
    )

    assert started.status_code == 202
    body = started.get_json()
    assert started.headers["Location"] == f"/api/v1/me/imports/{body['id']}"
    assert body["job"]["status"] == "queued"
    assert body["filename"] == "letterboxd-ana.zip"
    assert jobs.run_pending() == 1
    done = client.get(f"/api/v1/me/imports/{body['id']}", headers=writer).get_json()
    assert done["job"]["status"] == "finished"
    assert done["rows"]["saved"] == 1
    assert (
        client.get(f"/api/v1/me/jobs/{body['job']['id']}", headers=writer).get_json()["status"]
        == "finished"
    )
    assert client.get("/api/v1/me/imports", headers=writer).get_json()["total"] == 1
    assert client.get("/api/v1/me/reviews", headers=writer).get_json()["items"][0]["rating"] == 9


def test_an_upload_that_is_no_export_is_a_422_and_imports_nothing(client, db, writer, pending_jobs):
    response = client.post(
        "/api/v1/me/imports",
        data={"export": (io.BytesIO(b"\x89PNG\r\n"), "cat.png")},
        headers=writer,
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert db.session.scalar(select(Import)) is None
    assert pending_jobs == []


def test_another_member_s_import_is_not_found(client, db, writer):
    other = token_for(db, make_user("bruno"))
    made = client.post(
        "/api/v1/me/imports",
        data={"export": (io.BytesIO(letterboxd_zip({})), "export.zip")},
        headers=other,
        content_type="multipart/form-data",
    ).get_json()

    assert client.get(f"/api/v1/me/imports/{made['id']}", headers=writer).status_code == 404


def test_an_unconfirmed_member_cannot_review_through_the_api_either(client, db, member, heat):
    member.email_confirmed_at = None
    db.session.commit()
    headers = token_for(db, member)

    response = client.put(f"/api/v1/me/reviews/{heat.id}", json={"rating": 8}, headers=headers)

    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("Confirm your email first")
    assert client.get("/api/v1/me/reviews", headers=headers).get_json()["total"] == 0


def test_a_hidden_movie_s_rows_stay_the_member_s(client, db, member, writer, heat):
    reviews.upsert(user=member, movie=heat, rating=8, body=None, spoilers=False, recommends=None)
    watchlist.add(member, heat)
    heat.hidden_at = utcnow()
    db.session.commit()

    assert client.get(f"/api/v1/me/reviews/{heat.id}", headers=writer).status_code == 200
    assert (
        client.put(f"/api/v1/me/reviews/{heat.id}", json={"rating": 2}, headers=writer).status_code
        == 404
    )
    assert client.delete(f"/api/v1/me/watchlist/{heat.id}", headers=writer).status_code == 204
    assert client.delete(f"/api/v1/me/reviews/{heat.id}", headers=writer).status_code == 204
    logged = client.post(
        "/api/v1/me/diary", json={"movie_id": heat.id, "watched_on": "2024-01-01"}, headers=writer
    )
    assert logged.status_code == 404


def test_a_review_with_a_lone_surrogate_is_refused(client, writer, heat):
    response = client.put(
        f"/api/v1/me/reviews/{heat.id}",
        data='{"rating": 5, "body": "\\ud800"}',
        headers={**writer, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "body"

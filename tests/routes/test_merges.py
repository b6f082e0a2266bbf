"""Merging, hiding and deleting from the pages: 301s, 410s, refusals that say why."""

from __future__ import annotations

from app.infra.db import db as database
from app.models import Movie
from app.services import reviews
from tests.factories import make_cast_credit, make_movie, make_person, make_user
from tests.support import csrf_token


def text(response) -> str:
    return response.get_data(as_text=True)


def test_merging_a_movie_moves_reviews_and_the_old_url_answers_301(client, editor, db):
    ana = make_user("ana")
    survivor, duplicate = make_movie("Heat"), make_movie("Heat (dup)")
    reviews.upsert(
        user=ana, movie=duplicate, rating=9, body="Great.", spoilers=False, recommends=None
    )
    db.session.commit()
    url = f"/movies/{duplicate.id}/merge"

    page = client.get(url)
    response = client.post(
        url,
        data={
            "target": "Heat",
            "target_id": str(survivor.id),
            "csrf_token": csrf_token(client, url),
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.headers["Location"] == f"/movies/{survivor.id}-heat"
    assert "Merged into Heat (1999)." in text(client.get(response.headers["Location"]))
    old = client.get(f"/movies/{duplicate.id}-heat-dup")
    again = client.get(f"/movies/{duplicate.id}-heat-dup")
    assert old.status_code == again.status_code == 301
    assert old.headers["Location"] == f"/movies/{survivor.id}"
    assert "Great." in text(client.get(f"/movies/{survivor.id}-heat"))


def test_a_pasted_address_picks_the_survivor_and_a_bad_one_is_refused(client, editor, db):
    first, second = make_person("Ana Silva"), make_person("Ana  Silva")
    make_cast_credit(make_movie("One"), second, "Maria")
    db.session.commit()
    url = f"/people/{second.id}/merge"
    token = csrf_token(client, url)

    bad = client.post(url, data={"target": "nowhere", "csrf_token": token})
    titled = client.post(url, data={"target": f"Ana Silva {first.id}", "csrf_token": token})
    itself = client.post(url, data={"target": f"/people/{second.id}", "csrf_token": token})
    good = client.post(url, data={"target": f"/people/{first.id}-ana-silva", "csrf_token": token})

    assert bad.status_code == itself.status_code == titled.status_code == 422
    assert "Pick a page from the suggestions." in text(bad)
    assert "that is this one" in text(itself)
    assert good.status_code == 302
    assert client.get(f"/people/{second.id}").status_code == 301


def test_undoing_a_merge_from_the_change_page(client, editor, db):
    survivor, duplicate = make_movie("Heat"), make_movie("Heat (dup)")
    db.session.commit()
    duplicate_id = duplicate.id
    url = f"/movies/{duplicate_id}/merge"
    client.post(
        url,
        data={"target": "x", "target_id": str(survivor.id), "csrf_token": csrf_token(client, url)},
    )
    history = text(client.get(f"/movies/{survivor.id}/history"))
    assert "merged" in history
    edit_id = history.split('href="/changes/')[1].split('"')[0]
    change_page = text(client.get(f"/changes/{edit_id}"))
    assert "Undo this merge" in change_page

    response = client.post(
        f"/changes/{edit_id}/undo-merge",
        data={"csrf_token": csrf_token(client, f"/changes/{edit_id}")},
    )

    assert response.status_code == 302
    assert "both pages are back" in text(client.get(response.headers["Location"]))
    assert client.get(f"/movies/{duplicate_id}-heat-dup").status_code == 200


def test_a_hidden_movie_answers_410_and_leaves_the_lists(client, editor, db):
    movie = make_movie("Gone Film")
    db.session.commit()
    url = f"/movies/{movie.id}/hide"

    response = client.post(
        url, data={"version": "1", "csrf_token": csrf_token(client, url), "comment": "spam"}
    )

    assert response.status_code == 302
    gone = client.get(f"/movies/{movie.id}-gone-film")
    assert gone.status_code == 410
    assert "is no longer in the catalog" in text(gone)
    assert client.get(f"/movies/{movie.id}-gone-film/credits").status_code == 410
    assert "Gone Film" not in text(client.get("/movies/"))
    shown_again = client.post(
        f"/movies/{movie.id}/unhide",
        data={"version": "2", "csrf_token": csrf_token(client, f"/movies/{movie.id}/unhide")},
    )
    assert shown_again.status_code == 302
    assert client.get(f"/movies/{movie.id}-gone-film").status_code == 200


def test_a_refused_delete_lists_its_dependents_and_an_unused_page_goes(client, editor, db):
    ana = make_user("ana")
    used, unused = make_movie("Used"), make_movie("Unused")
    reviews.upsert(user=ana, movie=used, rating=7, body=None, spoilers=False, recommends=None)
    db.session.commit()
    used_url, unused_url = f"/movies/{used.id}/delete", f"/movies/{unused.id}/delete"
    unused_id = unused.id

    page = text(client.get(used_url))
    refused = client.post(used_url, data={"csrf_token": csrf_token(client, unused_url)})
    deleted = client.post(unused_url, data={"csrf_token": csrf_token(client, unused_url)})

    assert "1 review" in page
    assert "Merge it into another movie" in page
    assert refused.status_code == 422
    assert "It cannot be deleted: 1 review depend" in text(refused)
    assert deleted.status_code == 302
    database.session.expire_all()
    assert database.session.get(Movie, unused_id) is None
    assert client.get(f"/movies/{unused_id}").status_code == 404
    assert client.get("/genres/nope/delete").status_code == 404
    assert client.get("/people/99999999999/delete").status_code == 404


def test_members_may_not_merge_hide_or_delete(client, auth, db):
    make_user("mia")
    movie = make_movie("Heat")
    db.session.commit()
    auth.login("mia")

    for url in (
        f"/movies/{movie.id}/merge",
        f"/movies/{movie.id}/hide",
        f"/movies/{movie.id}/delete",
    ):
        assert client.get(url).status_code == 403

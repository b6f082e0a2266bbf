"""The editing pages: who may edit, forms that keep what was typed, locks, history pages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.models import EntityType, Role
from app.services import edits
from app.services.edits import credits as credit_edits
from app.services.edits import locks
from tests.factories import (
    make_cast_credit,
    make_crew_credit,
    make_editor,
    make_genre,
    make_movie,
    make_person,
    make_user,
)
from tests.routes.test_query_counts import counting
from tests.support import csrf_token


def movie_form(movie, **changes) -> dict:
    """The movie's edit form as a browser sends it, with some fields changed."""
    data = {
        "title": movie.title,
        "release_date": movie.release_date.isoformat() if movie.release_date else "",
        "runtime": str(movie.runtime or ""),
        "version": str(movie.version),
        "genres": [str(genre.id) for genre in movie.genres],
    }
    return {**data, **changes}


def post(client, url: str, data: dict, token_from: str | None = None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_from or url)})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_visitors_sign_in_and_members_get_403(client, auth, db):
    movie = make_movie("Heat")
    make_user("mia")
    db.session.commit()

    visitor = client.get(f"/movies/{movie.id}/edit")
    auth.login("mia")
    member_page = client.get(f"/movies/{movie.id}/edit")
    token = csrf_token(client, "/account")
    member_post = client.post(
        f"/movies/{movie.id}/edit", data={**movie_form(movie, title="X"), "csrf_token": token}
    )
    movie_page = text(client.get(f"/movies/{movie.id}-heat"))

    assert visitor.status_code == 302
    assert visitor.headers["Location"].startswith("/login?next=")
    assert member_page.status_code == member_post.status_code == 403
    assert f"/movies/{movie.id}/edit" not in movie_page
    assert f"/movies/{movie.id}/history" in movie_page  # the history is for everyone
    db.session.refresh(movie)
    assert movie.title == "Heat"


def test_an_editor_fixes_a_title_and_sees_it_everywhere(client, editor, db):
    drama = make_genre("Drama")
    movie = make_movie("The Matirx", genres=[drama], release_date=date(1998, 3, 31))
    db.session.commit()
    page = text(client.get(f"/movies/{movie.id}-the-matirx"))
    assert f'href="/movies/{movie.id}/edit"' in page

    response = post(
        client,
        f"/movies/{movie.id}/edit",
        movie_form(movie, title="The Matrix", release_date="1999-03-31", comment="typo"),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/movies/{movie.id}-the-matrix"
    shown = text(client.get(response.headers["Location"]))
    assert '<h1 id="movie-title">The Matrix' in shown
    assert "Saved. Your change is in the history." in shown
    history = text(client.get(f"/movies/{movie.id}/history"))
    assert "eddie" in history
    assert "<del>The Matirx</del> → <ins>The Matrix</ins>" in history
    assert "<del>1998-03-31</del> → <ins>1999-03-31</ins>" in history
    assert "“typo”" in history
    changes = text(client.get("/changes"))
    assert "The Matrix (1999)" in changes
    edit_id = re.search(r'href="/changes/(\d+)"', changes).group(1)
    diff = text(client.get(f"/changes/{edit_id}"))
    assert "<td><del>The Matirx</del></td>" in diff
    assert "<td><ins>The Matrix</ins></td>" in diff


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("homepage", "javascript:alert(1)", "starting with https:// or http://"),
        ("homepage", "/relative", "starting with https:// or http://"),
        ("trailer_key", "not a key!", "11 characters after watch?v="),
        ("poster_path", "http://evil.example/x.jpg", "TMDB image path"),
        ("runtime", "-5", "Use a whole number from 1 to 2000."),
        ("runtime", "9" * 400, "Use a whole number from 1 to 2000."),
        ("release_date", "2026-02-30", "Not a valid date value."),
        ("release_date", "1500-01-01", "Use a date from 1870 to 2100."),
        ("title", "   ", "This field is required."),
        ("original_language", "English", "two- or three-letter code"),
    ],
)
def test_bad_input_is_refused_and_the_form_keeps_what_was_typed(
    client, editor, db, field, value, message
):
    movie = make_movie("Heat")
    db.session.commit()

    response = post(
        client,
        f"/movies/{movie.id}/edit",
        movie_form(movie, tagline="Kept tagline", **{field: value}),
    )

    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'value="Kept tagline"' in page
    db.session.refresh(movie)
    assert movie.version == 1


def test_a_stale_save_is_refused_and_keeps_the_form(client, editor, db):
    movie = make_movie("Alien")
    other = make_editor("flo")
    db.session.commit()
    opened = movie_form(movie, title="Alien (typed by eddie)")
    edits.update_movie(movie=movie, editor=other, values={"tagline": "In space"}, version=1)
    db.session.commit()

    response = post(client, f"/movies/{movie.id}/edit", opened)

    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this page while you were editing (1 edit" in page
    assert 'value="Alien (typed by eddie)"' in page
    assert "flo" in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.refresh(movie)
    assert movie.title == "Alien"
    again = post(client, f"/movies/{movie.id}/edit", {**opened, "version": "2"})
    assert again.status_code == 302
    db.session.refresh(movie)
    assert movie.title == "Alien (typed by eddie)"


def test_html_in_a_field_is_shown_as_text(client, editor, db):
    movie = make_movie("Heat")
    db.session.commit()

    post(client, f"/movies/{movie.id}/edit", movie_form(movie, title="<b>Bold</b> & co"))

    page = text(client.get(f"/movies/{movie.id}", follow_redirects=True))
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page


def test_an_edit_without_a_csrf_token_is_refused(client, editor, db):
    movie = make_movie("Heat")
    db.session.commit()

    response = client.post(f"/movies/{movie.id}/edit", data=movie_form(movie, title="Cold"))

    assert response.status_code == 400
    db.session.refresh(movie)
    assert movie.title == "Heat"


def test_the_edit_page_says_what_tmdb_now_says_and_takes_it(client, editor, db):
    movie = make_movie("Mine", runtime=90)
    edits.update_movie(movie=movie, editor=editor, values={"runtime": 95}, version=1)
    held = locks.of(EntityType.movie, movie.id)
    locks.hold_upstream(held["runtime"], 101)
    db.session.commit()

    page = text(client.get(f"/movies/{movie.id}/edit"))
    assert "Locked" in page
    assert 'TMDB now says: <q class="upstream">101</q>' in page
    accept = client.post(
        f"/edit/movie/{movie.id}/locks/runtime/accept",
        data={"csrf_token": csrf_token(client, f"/movies/{movie.id}/edit"), "version": "2"},
    )

    assert accept.status_code == 302
    db.session.refresh(movie)
    assert movie.runtime == 101
    assert locks.of(EntityType.movie, movie.id) == {}
    assert "Saved TMDB&#39;s value" in text(client.get(accept.headers["Location"]))


def test_unlocking_a_field_from_the_edit_page(client, editor, db):
    movie = make_movie("Mine")
    edits.update_movie(movie=movie, editor=editor, values={"title": "Ours"}, version=1)
    db.session.commit()

    response = client.post(
        f"/edit/movie/{movie.id}/locks/title/unlock",
        data={"csrf_token": csrf_token(client, f"/movies/{movie.id}/edit")},
    )
    again = client.post(
        f"/edit/movie/{movie.id}/locks/title/unlock",
        data={"csrf_token": csrf_token(client, f"/movies/{movie.id}/edit")},
    )

    assert response.status_code == again.status_code == 302
    assert locks.of(EntityType.movie, movie.id) == {}
    assert "That field follows TMDB already." in text(client.get(again.headers["Location"]))


def test_a_person_edit_and_its_history(client, editor, db):
    person = make_person("Ana Silva", birthday=date(1950, 1, 1))
    db.session.commit()
    url = f"/people/{person.id}/edit"
    form = {"name": "Ana Sílva", "birthday": "1950-01-01", "gender": "female", "version": "1"}

    wrong = post(client, url, {**form, "deathday": "1940-01-01"})
    right = post(client, url, {**form, "biography": "Wrote <i>this</i>.", "deathday": ""})

    assert wrong.status_code == 422
    assert "The day they died comes before their birthday." in text(wrong)
    assert right.status_code == 302
    page = text(client.get(right.headers["Location"]))
    assert "Ana Sílva" in page
    assert "Written by eddie" in page
    assert "Wrote &lt;i&gt;this&lt;/i&gt;." in page
    assert "Ana Sílva" in text(client.get(f"/people/{person.id}/history"))


def test_a_genre_rename_moves_its_page_and_its_description_names_the_editor(client, editor, db):
    make_genre("Film Noir")
    db.session.commit()

    response = post(
        client,
        "/genres/film-noir/edit",
        {"name": "Noir", "description": "Shadows and rain.", "version": "1"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/genres/noir"
    page = text(client.get("/genres/noir"))
    assert "Shadows and rain." in page
    assert "Written by eddie" in page
    assert client.get("/genres/noir/history").status_code == 200


def test_a_crew_job_page_and_its_description(client, editor, db):
    make_crew_credit(make_movie(), make_person("Gale Gaffer"), "Gaffer", "Lighting")
    db.session.commit()

    response = post(
        client, "/jobs/Gaffer/edit", {"description": "Heads the electricians.", "version": "0"}
    )
    page = text(client.get("/jobs/Gaffer"))

    assert response.status_code == 302
    assert "Heads the electricians." in page
    assert "Written by eddie" in page
    assert "Gale Gaffer" in page
    assert client.get("/jobs/Nobody").status_code == 404
    assert "Heads the electricians." in text(client.get("/jobs/Gaffer/history"))


def test_a_movie_and_a_person_entered_by_hand(client, editor, db):
    drama = make_genre("Drama")
    db.session.commit()

    movie = post(
        client,
        "/movies/new",
        {"title": "Home Movie", "runtime": "12", "genres": [str(drama.id)], "version": "0"},
    )
    person = post(client, "/people/new", {"name": "Grandma", "gender": "female", "version": "0"})
    empty = post(client, "/movies/new", {"title": "", "version": "0"})

    assert movie.status_code == person.status_code == 302
    assert "Home Movie" in text(client.get(movie.headers["Location"]))
    assert "Grandma" in text(client.get(person.headers["Location"]))
    assert empty.status_code == 422


# Credits.


def credit_page(client, movie) -> str:
    return text(client.get(f"/movies/{movie.id}/credits/edit"))


def add(client, movie, **data):
    url = f"/movies/{movie.id}/credits/add"
    token = csrf_token(client, f"/movies/{movie.id}/credits/edit")
    return client.post(url, data={"version": str(movie.version), "csrf_token": token, **data})


def test_cast_is_added_by_pick_by_name_and_as_a_new_person(client, editor, db):
    movie = make_movie("Heat")
    pacino = make_person("Al Pacino")
    make_person("Robert De Niro")
    db.session.commit()

    picked = add(
        client, movie, kind="cast", person="Al P", person_id=str(pacino.id), character="Vincent"
    )
    db.session.refresh(movie)
    by_name = add(client, movie, kind="cast", person="robert de niro", character="Neil")
    db.session.refresh(movie)
    new = add(
        client,
        movie,
        kind="crew",
        person="Newcomer",
        new_person="y",
        department="Writing",
        job="Screenplay",
    )

    assert picked.status_code == by_name.status_code == new.status_code == 302
    shown = text(client.get(f"/movies/{movie.id}-heat/credits"))
    assert "Al Pacino" in shown
    assert "Robert De Niro" in shown
    assert "Newcomer" in shown
    assert "Screenplay" in shown
    history = text(client.get(f"/movies/{movie.id}/history"))
    assert "Credit added" in history
    assert "Al Pacino as Vincent (#0)" in history
    assert "credits" in locks.of(EntityType.movie, movie.id)


def test_a_name_several_people_share_asks_which_one(client, editor, db):
    movie = make_movie("Heat")
    first, second = make_person("John Smith"), make_person("John Smith")
    db.session.commit()

    response = add(client, movie, kind="cast", person="John Smith", character="Cop")
    nobody = add(client, movie, kind="cast", person="Zed Nobody", character="Cop")
    no_job = add(client, movie, kind="crew", person="John Smith", department="Sound", job="")

    assert response.status_code == 422
    page = text(response)
    assert "2 people are called John Smith: choose one below." in page
    assert f'value="{first.id}"' in page
    assert f'value="{second.id}"' in page
    assert 'value="Cop"' in page
    assert "Nobody called Zed Nobody is in the catalog" in text(nobody)
    assert "Name the job, such as Director or Editor." in text(no_job)


def test_characters_billing_and_removals_are_saved_together(client, editor, db):
    movie = make_movie("Heat")
    lead = make_cast_credit(movie, make_person("Lead"), "Hero", order=0)
    extra = make_cast_credit(movie, make_person("Extra"), "Guard", order=1)
    crew = make_crew_credit(movie, make_person("Cam Op"), "Camera Operator", "Camera")
    db.session.commit()
    url = f"/movies/{movie.id}/credits/edit"
    token = csrf_token(client, url)

    bad = client.post(url, data={"csrf_token": token, "version": "1", f"order-{lead.id}": "x1"})
    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            f"character-{lead.id}": "Hero (older)",
            f"order-{lead.id}": "1",
            f"character-{extra.id}": "Guard",
            f"order-{extra.id}": "0",
            "remove": [str(crew.id)],
        },
    )

    assert bad.status_code == 422
    assert "Use a billing order from 0 to 10000, not &#39;x1&#39;." in text(bad)
    assert saved.status_code == 302
    assert "Saved 3 changes." in credit_page(client, movie)
    db.session.refresh(lead)
    assert (lead.character, lead.cast_order) == ("Hero (older)", 1)
    assert "Cam Op" not in text(client.get(f"/movies/{movie.id}-heat/credits"))
    history = text(client.get(f"/movies/{movie.id}/history"))
    assert "Credit removed" in history
    assert "Credit changed" in history


def test_history_and_changes_pages_run_the_same_queries_at_two_sizes(client, db):
    editor = make_editor()
    movie = make_movie("Busy")
    db.session.commit()

    def grow(count):
        for number in range(count):
            edits.update_movie(
                movie=movie,
                editor=editor,
                values={"title": f"Busy {count}-{number}", "runtime": number + count},
                version=movie.version,
            )
        db.session.commit()

    grow(3)
    pages = [f"/movies/{movie.id}/history", "/changes", "/changes?entity=movie&editor=eddie"]
    small = {}
    for page in pages:
        with counting(db.engine) as statements:
            assert client.get(page).status_code == 200
        small[page] = len(statements)
    grow(60)
    for page in pages:
        with counting(db.engine) as statements:
            assert client.get(page).status_code == 200
        assert len(statements) == small[page], page
        assert len(statements) <= 9, "\n".join(statements)


def test_changes_filters_say_what_they_ignore(client, db):
    editor = make_editor()
    movie, person = make_movie("Heat"), make_person("Ana")
    edits.update_movie(movie=movie, editor=editor, values={"title": "Heat!"}, version=1)
    edits.update_person(person=person, editor=editor, values={"name": "Ana B"}, version=1)
    db.session.commit()

    people = text(client.get("/changes?entity=person"))
    unknown = text(client.get("/changes?editor=zed"))
    odd = client.get("/changes?entity=planet&since=yesterday&page=-3")
    later = text(client.get("/changes?since=2999-01-01"))

    assert "Ana B" in people
    assert "Heat!" not in people
    assert "No member is called zed." in unknown
    assert odd.status_code == 200
    assert "that kind is not one we list" in text(odd)
    assert "Heat!" in text(odd)
    assert "No changes match." in later


def test_an_admin_is_an_editor_too(client, auth, db):
    admin = make_user("ada")
    admin.role = Role.admin
    movie = make_movie("Heat")
    db.session.commit()
    auth.login("ada")

    assert client.get(f"/movies/{movie.id}/edit").status_code == 200
    assert client.get(f"/movies/{movie.id}/credits/edit").status_code == 200


def test_an_editor_reverts_from_the_change_page(client, editor, db):
    movie = make_movie("Heat")
    first = edits.update_movie(movie=movie, editor=editor, values={"title": "Heat 1"}, version=1)
    second = edits.update_movie(movie=movie, editor=editor, values={"title": "Heat 2"}, version=2)
    db.session.commit()
    page = text(client.get(f"/changes/{first.id}"))
    token = csrf_token(client, f"/changes/{first.id}")

    refused = client.post(f"/changes/{first.id}/revert", data={"csrf_token": token})
    refusal = text(client.get(refused.headers["Location"]))
    back = client.post(
        f"/changes/{first.id}/revert-to", data={"csrf_token": token, "comment": "vandalism"}
    )

    assert "Revert this change" in page
    assert "Undo the 1 later edit: back to here" in page
    assert refused.status_code == 302
    assert "Title changed again after this edit" in refusal
    assert back.status_code == 302
    reverted = text(client.get(back.headers["Location"]))
    assert "Reverted. The revert is in the history too." in reverted
    assert "“vandalism”" in reverted
    db.session.refresh(movie)
    assert movie.title == "Heat 1"
    assert second.id < int(back.headers["Location"].rsplit("/", 1)[1])


def test_members_see_no_revert_buttons_and_may_not_post_them(client, auth, db):
    editor = make_editor()
    make_user("mia")
    movie = make_movie("Heat")
    edit = edits.update_movie(movie=movie, editor=editor, values={"title": "Heat!"}, version=1)
    db.session.commit()
    auth.login("mia")

    page = text(client.get(f"/changes/{edit.id}"))
    response = client.post(
        f"/changes/{edit.id}/revert", data={"csrf_token": csrf_token(client, "/account")}
    )

    assert "Revert this change" not in page
    assert response.status_code == 403


def test_taking_tmdbs_cast_and_crew_from_the_credits_page(client, editor, db):
    movie = make_movie("Heat")
    tmdb_person = make_person("Val Kilmer", tmdb_id=5576)
    make_cast_credit(movie, make_person("Somebody"), "Extra")
    held = locks.of(EntityType.movie, movie.id)
    locks.lock(held, entity_type=EntityType.movie, entity_id=movie.id, field="credits", by=editor)
    upstream = {
        "person_tmdb_id": tmdb_person.tmdb_id,
        "person_name": "Val Kilmer",
        "kind": "cast",
        "character": "Chris",
        "order": 0,
        "department": None,
        "job": None,
    }
    locks.hold_upstream(held["credits"], [upstream])
    db.session.commit()
    url = f"/movies/{movie.id}/credits/edit"
    page = text(client.get(url))
    assert 'TMDB now says: <q class="upstream">1 credit</q>' in page

    response = client.post(
        f"/edit/movie/{movie.id}/locks/credits/accept",
        data={"csrf_token": csrf_token(client, url), "version": str(movie.version)},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == url
    shown = text(client.get(f"/movies/{movie.id}-heat/credits"))
    assert "Val Kilmer" in shown
    assert "Somebody" not in shown
    assert [(c.person.name, c.character) for c in credit_edits.of_movie(movie)] == [
        ("Val Kilmer", "Chris")
    ]
    assert locks.of(EntityType.movie, movie.id) == {}

"""Rating and reviewing from the movie page; editing and deleting one's own review."""

from __future__ import annotations

import pytest

from app.models import Review
from app.models.mixins import utcnow
from app.services import reviews
from tests.factories import make_movie, make_user
from tests.support import csrf_token


@pytest.fixture
def ana(ana, db):
    """Ana, confirmed and signed in."""
    ana.email_confirmed_at = utcnow()
    db.session.commit()
    return ana


@pytest.fixture
def alien(db):
    movie = make_movie("Alien")
    db.session.commit()
    return movie


def page_of(movie) -> str:
    return f"/movies/{movie.id}-{movie.slug}"


def send(client, movie, **fields):
    data = {"rating": "8", "body": "", "recommends": "", **fields}
    data["csrf_token"] = csrf_token(client, page_of(movie))
    return client.post(f"/movies/{movie.id}/review", data=data)


def test_rate_and_review_from_the_movie_page(client, ana, alien, db):
    response = send(client, alien, rating="9", body="Tense.\n\nStill scary.", recommends="yes")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#ratings")
    page = client.get(page_of(alien)).get_data(as_text=True)
    assert "<p>Tense.</p>\n<p>Still scary.</p>" in page
    assert "9.0</span>/10 from members" in page
    assert "100% of those who said would recommend it" in page
    assert "Edit your review" in page
    db.session.refresh(alien)
    assert (alien.review_count, alien.review_average) == (1, 9.0)


def test_sending_again_updates_rather_than_duplicates(client, ana, alien, db):
    send(client, alien, rating="4")
    send(client, alien, rating="7")

    assert db.session.query(Review).filter_by(movie_id=alien.id).count() == 1
    db.session.refresh(alien)
    assert alien.review_average == 7.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rating": "11"}, "Give a rating from 1 to 10."),
        ({"rating": "0"}, "Give a rating from 1 to 10."),
        ({"rating": "seven"}, "Not a valid integer value."),
        ({"rating": ""}, "Give a rating from 1 to 10."),
        ({"body": "x" * 5001}, "Keep the review under 5,000 characters (it has 5,001)."),
        ({"rating": "9" * 400}, "Give a rating from 1 to 10."),
    ],
)
def test_bad_input_gets_a_form_error_and_keeps_what_was_typed(
    client, ana, alien, db, fields, message
):
    typed = "My careful thoughts about the chestburster scene."
    response = send(client, alien, **{"body": typed, **fields})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if "body" not in fields:
        assert typed in page
    assert db.session.query(Review).count() == 0


def test_review_text_is_escaped(client, ana, alien):
    send(client, alien, body="<script>alert('x')</script> & <b>bold</b>")

    page = client.get(page_of(alien)).get_data(as_text=True)

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_a_spoiler_is_folded_behind_a_click(client, ana, alien):
    send(client, alien, body="The cat survives.", spoilers="y")

    page = client.get(page_of(alien)).get_data(as_text=True)

    assert '<details class="spoiler">' in page
    assert "This review gives away the plot" in page


def test_signed_out_visitors_are_asked_to_log_in(client, alien):
    page = client.get(page_of(alien)).get_data(as_text=True)
    assert "to rate and review it" in page

    response = client.post(
        f"/movies/{alien.id}/review",
        data={"rating": "8", "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_unconfirmed_member_cannot_review_yet(client, auth, alien, db):
    make_user("ana")
    db.session.commit()
    auth.login()

    assert "Confirm your email to rate and review" in client.get(page_of(alien)).get_data(
        as_text=True
    )
    response = send(client, alien)
    assert response.status_code == 302
    assert db.session.query(Review).count() == 0


def test_reviewing_a_movie_that_does_not_exist_is_a_404(client, ana):
    token = csrf_token(client, "/")
    assert (
        client.post("/movies/999999/review", data={"rating": "5", "csrf_token": token}).status_code
        == 404
    )


def test_a_review_without_csrf_is_a_400(client, ana, alien):
    assert client.post(f"/movies/{alien.id}/review", data={"rating": "5"}).status_code == 400


def test_edit_and_delete_ones_own_review(client, ana, alien, db):
    send(client, alien, rating="5", body="Meh.")
    own = db.session.query(Review).one()

    form = client.get(f"/reviews/{own.id}/edit").get_data(as_text=True)
    assert "Meh." in form
    edited = client.post(
        f"/reviews/{own.id}/edit",
        data={
            "rating": "8",
            "body": "Grew on me.",
            "recommends": "yes",
            "csrf_token": csrf_token(client, f"/reviews/{own.id}/edit"),
        },
    )
    assert edited.status_code == 302
    db.session.refresh(alien)
    assert alien.review_average == 8.0

    confirm = client.get(f"/reviews/{own.id}/delete")
    assert "Delete your review of Alien?" in confirm.get_data(as_text=True)
    deleted = client.post(
        f"/reviews/{own.id}/delete",
        data={"csrf_token": csrf_token(client, f"/reviews/{own.id}/delete")},
    )
    assert deleted.status_code == 302
    db.session.refresh(alien)
    assert (alien.review_count, alien.review_average) == (0, None)


def test_someone_elses_review_cannot_be_edited_or_deleted(client, ana, alien, db):
    theirs = reviews.upsert(
        user=make_user("bea"), movie=alien, rating=3, body="No.", spoilers=False, recommends=None
    )
    db.session.commit()
    token = csrf_token(client, "/")

    assert client.get(f"/reviews/{theirs.id}/edit").status_code == 403
    assert (
        client.post(
            f"/reviews/{theirs.id}/edit", data={"rating": "10", "csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/reviews/{theirs.id}/delete", data={"csrf_token": token}).status_code == 403
    )
    assert client.get("/reviews/999999/edit").status_code == 404
    db.session.refresh(theirs)
    assert theirs.rating == 3


def test_reviews_page_newest_first_with_the_viewers_own_first(client, ana, alien, db):
    for number in range(12):
        body = f"Review number {number}."
        reviews.upsert(
            user=make_user(f"member{number}"),
            movie=alien,
            rating=5,
            body=body,
            spoilers=False,
            recommends=None,
        )
    db.session.commit()
    send(client, alien, rating="9", body="Mine.")

    first = client.get(page_of(alien)).get_data(as_text=True)
    second = client.get(page_of(alien) + "?reviews_page=2").get_data(as_text=True)

    assert first.index("Mine.") < first.index("Review number 11.") < first.index("Review number 2.")
    assert "Review number 1." not in first
    assert "Review number 1." in second
    assert "reviews_page=2" in first


def test_line_breaks_count_once_toward_the_limit(client, ana, alien, db):
    paragraph = "x" * 99
    body = "\r\n".join([paragraph] * 50)  # 4,950 characters and 49 breaks a browser sends as two

    response = send(client, alien, body=body)

    assert response.status_code == 302
    assert len(db.session.query(Review).one().body) == 4999


def test_a_stale_tab_with_a_bad_value_shows_the_form_and_what_was_typed(client, ana, alien):
    send(client, alien, rating="6", body="First thoughts.")

    response = send(client, alien, rating="11", body="Second thoughts, typed in another tab.")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give a rating from 1 to 10." in page
    assert "Second thoughts, typed in another tab." in page


def test_members_reviewing_at_once_all_succeed_and_the_figures_add_up(tmp_path):
    """Real concurrent requests on a SQLite file: writers wait their turn, none gets a 503."""
    import threading

    import flask_migrate

    from app import create_app
    from app.infra import crypto
    from app.infra.db import db as database
    from app.models import Movie
    from tests.factories import PASSWORD
    from tests.support import MIGRATIONS, AuthActions, make_config

    crypto.initialize(tmp_path / "instance", secret_key="c" * 48)
    app = create_app(make_config(tmp_path / "instance", f"sqlite:///{tmp_path / 'busy.sqlite3'}"))
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        movie = make_movie("Crowded")
        for number in range(6):
            make_user(f"critic{number}").email_confirmed_at = utcnow()
        database.session.commit()
        movie_id = movie.id
    clients = []
    for number in range(6):
        client = app.test_client()
        AuthActions(client).login(f"critic{number}", PASSWORD)
        clients.append((client, csrf_token(client, f"/movies/{movie_id}-crowded")))
    start = threading.Barrier(len(clients))
    answers = []

    def review(client, token, rating):
        start.wait()
        response = client.post(
            f"/movies/{movie_id}/review", data={"rating": str(rating), "csrf_token": token}
        )
        answers.append(response.status_code)

    threads = [
        threading.Thread(target=review, args=(client, token, 3 + n))
        for n, (client, token) in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302] * 6
    with app.app_context():
        movie = database.session.get(Movie, movie_id)
        assert (movie.review_count, movie.review_average) == (6, 5.5)
        database.engine.dispose()

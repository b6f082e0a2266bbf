"""The account page: username, email, password, avatar, deletion; public profiles."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from app.models import Review, User
from app.services import accounts
from tests.factories import PASSWORD, make_movie, make_user
from tests.support import AuthActions, csrf_token


def post_form(client, url: str, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/account")})


def test_the_account_page_needs_a_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_account_page_shows_every_section(client, ana):
    page = client.get("/account").get_data(as_text=True)

    for heading in ("Picture", "Username", "Email", "Password", "Two-factor sign-in"):
        assert f">{heading}</h2>" in page
    assert "Delete your account" in page
    assert "with your 0 reviews" in page


def test_change_username(client, ana, db):
    response = post_form(client, "/account/username", username="Ana.Maria")

    assert response.status_code == 302
    db.session.refresh(ana)
    assert ana.username == "Ana.Maria"
    assert client.get("/users/ana.maria").status_code == 301  # any case finds the profile


def test_change_username_to_a_taken_one_is_refused(client, ana, db):
    make_user("bea")
    db.session.commit()

    response = post_form(client, "/account/username", username="BEA")

    assert response.status_code == 422
    assert "That username is taken" in response.get_data(as_text=True)


def test_change_email_waits_for_the_new_address_to_confirm(client, ana, db, mailbox):
    response = post_form(
        client, "/account/email", email="ana.new@example.com", current_password=PASSWORD
    )

    assert response.status_code == 302
    db.session.refresh(ana)
    assert ana.email == "ana@example.com"
    (message,) = mailbox.messages()
    assert message["To"] == "ana.new@example.com"

    link = mailbox.last_link()
    asked = client.get(link)  # opening the link (or a mail scanner) changes nothing yet
    assert "Use ana.new@example.com" in asked.get_data(as_text=True)
    db.session.refresh(ana)
    assert ana.email == "ana@example.com"

    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 302
    db.session.refresh(ana)
    assert ana.email == "ana.new@example.com"
    assert ana.email_confirmed
    assert client.get(link).status_code == 410  # used
    told = mailbox.messages()[-1]
    assert (told["To"], told["Subject"]) == ("ana@example.com", "Your Marquee email was changed")


def test_changing_to_a_registered_email_answers_alike_and_tells_that_owner(
    client, ana, db, mailbox
):
    make_user("bea")
    db.session.commit()

    response = post_form(
        client, "/account/email", email="bea@example.com", current_password=PASSWORD
    )

    assert response.status_code == 302
    (message,) = mailbox.messages()
    assert message["To"] == "bea@example.com"
    assert message["Subject"] == "Your address was offered for another Marquee account"
    db.session.refresh(ana)
    assert ana.email == "ana@example.com"


def test_a_reset_link_mailed_before_an_email_change_stops_working(client, ana, db):
    old_link = f"/password/reset/{accounts.reset_token(ana)}"
    ana.email = "ana.elsewhere@example.com"
    db.session.commit()

    assert client.get(old_link).status_code == 410


def test_change_email_needs_the_password(client, ana, mailbox):
    response = post_form(
        client, "/account/email", email="ana.new@example.com", current_password="wrong one!"
    )

    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_change_password_ends_other_sessions_but_not_this_one(app, client, ana, db):
    other_device = app.test_client()
    AuthActions(other_device).login(remember=True)
    assert "Log out" in other_device.get("/").get_data(as_text=True)
    new = "another fine passphrase"

    response = post_form(
        client, "/account/password", current_password=PASSWORD, password=new, confirm=new
    )

    assert response.status_code == 302
    assert "Log out" in client.get("/").get_data(as_text=True)
    signed_out = other_device.get("/").get_data(as_text=True)
    assert "Log out" not in signed_out  # the session and the remember-me cookie both end
    db.session.refresh(ana)
    assert accounts.authenticate(identifier="ana", password=new) is ana


def test_change_password_needs_the_current_one(client, ana):
    new = "another fine passphrase"
    response = post_form(
        client, "/account/password", current_password="not it at all", password=new, confirm=new
    )

    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_a_missing_csrf_token_is_a_400(client, ana):
    response = client.post("/account/username", data={"username": "someone"})

    assert response.status_code == 400


def test_delete_account_needs_the_password_and_removes_reviews(client, ana, db):
    movie = make_movie("Alien")
    db.session.add(Review(user=ana, movie=movie, rating=8, body="Tense."))
    db.session.commit()
    assert "with your 1 review," in client.get("/account").get_data(as_text=True)

    refused = post_form(client, "/account/delete", current_password="wrong password")
    assert refused.status_code == 422

    deleted = post_form(client, "/account/delete", current_password=PASSWORD)

    assert deleted.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "ana")) is None
    assert db.session.scalars(select(Review)).all() == []
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_a_public_profile(client, db):
    make_user("Bea")
    db.session.commit()

    page = client.get("/users/Bea").get_data(as_text=True)

    assert "<h1" in page
    assert "Bea" in page
    assert "Member since" in page
    assert client.get("/users/nobody").status_code == 404


# Avatars.


def picture(kind: str = "PNG", size=(400, 300), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "me.png", content_type: str = "image/png"):
    response = client.post(
        "/account/avatar",
        data={
            "avatar": (io.BytesIO(data), name, content_type),
            "csrf_token": csrf_token(client, "/account"),
        },
        content_type="multipart/form-data",
    )
    # The test client spools a large body to a temporary file it never closes.
    response.request.environ["wsgi.input"].close()
    return response


def test_an_uploaded_avatar_is_served_cached_and_replaced(
    client, ana, db, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "MEDIA_DIR", str(tmp_path / "media"))

    response = upload(client, picture("JPEG"), "me.jpg", "image/jpeg")

    assert response.status_code == 302
    db.session.refresh(ana)
    first = ana.avatar
    with client.get(f"/media/avatars/{first}-256.webp") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/webp"
        assert "max-age=31536000" in served.headers["Cache-Control"]
        assert "no-cache" not in served.headers["Cache-Control"]
        assert Image.open(io.BytesIO(served.data)).size == (256, 256)
        etag = served.headers["ETag"]
    with client.get(served.request.path, headers={"If-None-Match": etag}) as cached:
        assert cached.status_code == 304
    assert f"/media/avatars/{first}-64.webp" in client.get("/").get_data(as_text=True)

    upload(client, picture("WEBP", colour=(0, 0, 200)), "me.webp", "image/webp")

    db.session.refresh(ana)
    assert ana.avatar != first
    assert client.get(f"/media/avatars/{first}-256.webp").status_code == 404  # old files gone


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text, honestly", "me.png", "not a JPEG, PNG, WebP or GIF"),
        (picture()[:200], "me.png", "damaged or incomplete"),
        (b"\x00" * (3 * 1024 * 1024), "big.png", "larger than 2 MB"),
    ],
)
def test_a_bad_avatar_gets_a_form_error(client, ana, db, data, name, message):
    response = upload(client, data, name)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(ana)
    assert ana.avatar is None


def test_a_decompression_bomb_is_refused(client, ana, db):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # a few KB that would decode to 400 MP

    response = upload(client, buffer.getvalue())

    assert response.status_code == 422
    assert "too large" in response.get_data(as_text=True)


def test_a_body_over_the_request_limit_is_a_413(client, ana, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)

    response = upload(client, b"\x00" * (2 * 1024 * 1024))

    assert response.status_code == 413


def test_users_without_an_avatar_get_a_generated_one(client, db):
    make_user("Bea")
    db.session.commit()

    response = client.get("/users/Bea/avatar.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert ">B<" in response.get_data(as_text=True)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/avatars/..%2F..%2Fconfig-256.webp",
        "/media/avatars/abc-128.webp",
        "/media/avatars/x-256.webp",
    ],
)
def test_avatar_paths_outside_the_store_are_404(client, path):
    assert client.get(path).status_code == 404


# Where you're signed in ------------------------------------------------------

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)


def copied_cookies(client) -> dict[str, str]:
    return {
        name: cookie.value
        for name in ("session", "remember_token")
        if (cookie := client.get_cookie(name)) is not None
    }


def replayed(app, cookies: dict[str, str]):
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief.get("/account")


def test_the_account_page_lists_each_sign_in_and_marks_this_one(app, client, ana):
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX_ON_WINDOWS
    AuthActions(laptop).login(remember=True)

    page = client.get("/account").get_data(as_text=True)

    assert ">Where you're signed in</h2>" in page
    assert page.count("This browser") == 1
    assert "Firefox on Windows</strong>" in page
    assert "(remembered)" in page
    assert "Log out everywhere" in page


def test_log_out_everywhere_ends_every_copied_cookie(app, client, ana):
    phone = app.test_client()
    AuthActions(phone).login(remember=True)
    client_cookies, phone_cookies = copied_cookies(client), copied_cookies(phone)
    assert "remember_token" in phone_cookies
    assert replayed(app, phone_cookies).status_code == 200

    response = post_form(client, "/account/sessions/end-all")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    for cookies in (client_cookies, phone_cookies):
        assert replayed(app, cookies).status_code == 302
        for name, value in cookies.items():
            assert replayed(app, {name: value}).status_code == 302
    assert "every device" in client.get("/login").get_data(as_text=True)


def test_logging_out_another_browser_from_the_list(app, client, ana, db):
    from app.models import LoginSession

    phone = app.test_client()
    AuthActions(phone).login(remember=True)
    phone_cookies = copied_cookies(phone)
    sign_ins = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
    this_one, the_phone = sign_ins

    assert post_form(client, f"/account/sessions/{this_one.id}/end").status_code == 404
    response = post_form(client, f"/account/sessions/{the_phone.id}/end")

    assert response.status_code == 302
    assert replayed(app, phone_cookies).status_code == 302
    assert replayed(app, {"remember_token": phone_cookies["remember_token"]}).status_code == 302
    assert client.get("/account").status_code == 200
    assert post_form(client, f"/account/sessions/{the_phone.id}/end").status_code == 404


def test_no_one_can_log_out_another_members_browser(app, client, ana, db):
    from app.models import LoginSession

    make_user("bea")
    db.session.commit()
    bea = app.test_client()
    AuthActions(bea).login("bea")
    beas = db.session.scalar(select(LoginSession).join(User).where(User.username == "bea"))

    assert post_form(client, f"/account/sessions/{beas.id}/end").status_code == 404
    assert bea.get("/account").status_code == 200


def test_session_buttons_need_csrf(client, ana):
    assert client.post("/account/sessions/end-all").status_code == 400
    assert client.get("/account").status_code == 200

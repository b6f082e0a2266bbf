"""Sign-ins: started, recognised, ended one at a time or all at once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import LoginSession
from app.services import accounts, login_sessions
from tests.factories import PASSWORD, make_user


def sign_ins(db) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginSession))


def test_a_started_sign_in_is_recognised_by_its_id_and_stores_only_a_hash(app, db):
    user = make_user("ana")

    login = login_sessions.start(user, remember=True, user_agent="Firefox/133.0")
    session_id = user.get_id()

    user_id, token, key = session_id.split(":")
    assert (int(user_id), token) == (user.id, user.session_token)
    assert key not in login.key_hash
    assert login.expires_at - login.created_at == timedelta(days=365)
    db.session.expire_all()
    assert login_sessions.resume(session_id) is user
    assert user.login_session.id == login.id


def test_a_sign_in_without_remember_me_lasts_the_session_lifetime(app, db):
    login = login_sessions.start(make_user("ana"), remember=False)
    assert (login.expires_at - login.created_at).total_seconds() == (
        app.config["PERMANENT_SESSION_LIFETIME"]
    )


@pytest.mark.parametrize(
    "session_id",
    ["", "ana", "1", "1:token", "x:token:key", "1::key", "1:token:", "1:token:wrong-key"],
)
def test_ids_that_name_no_sign_in_are_refused(app, db, session_id):
    user = make_user("ana")
    login_sessions.start(user, remember=False)
    assert login_sessions.resume(session_id.replace("1", str(user.id), 1)) is None


def test_an_ended_or_expired_sign_in_is_refused(app, db):
    user = make_user("ana")
    login_sessions.start(user, remember=False)
    ended = user.get_id()
    login_sessions.end(user)
    expiring = login_sessions.start(user, remember=False)
    expired = user.get_id()
    expiring.expires_at = expiring.created_at - timedelta(seconds=1)

    assert login_sessions.resume(ended) is None
    assert login_sessions.resume(expired) is None
    assert login_sessions.list_(user) == []


def test_a_new_sign_in_clears_the_members_expired_ones(app, db):
    ana, bea = make_user("ana"), make_user("bea")
    old = login_sessions.start(ana, remember=False)
    old.expires_at = old.created_at - timedelta(days=1)
    beas = login_sessions.start(bea, remember=False)
    beas.expires_at = beas.created_at - timedelta(days=1)

    login_sessions.start(ana, remember=True)

    assert [login.remember for login in login_sessions.list_(ana)] == [True]
    assert sign_ins(db) == 2  # Bea's expired row waits for her next sign-in


def test_end_all_renews_the_token_and_can_keep_this_browser(app, db):
    user = make_user("ana")
    login_sessions.start(user, remember=False)
    phone = user.get_id()
    login_sessions.start(user, remember=True)
    laptop_login = user.login_session

    login_sessions.end_all(user, keep_current=True)

    assert login_sessions.list_(user) == [laptop_login]
    assert login_sessions.resume(phone) is None
    assert login_sessions.resume(user.get_id()) is user  # the id now carries the new token

    login_sessions.end_all(user)
    assert sign_ins(db) == 0
    assert user.login_key is None


def test_a_new_password_ends_other_sign_ins(app, db):
    user = make_user("ana")
    login_sessions.start(user, remember=True)
    other = user.get_id()
    login_sessions.start(user, remember=False)

    accounts.change_password(user, current=PASSWORD, new="a different passphrase")

    assert login_sessions.resume(other) is None
    assert login_sessions.resume(user.get_id()) is user
    accounts.set_password(user, "yet another passphrase")
    assert sign_ins(db) == 0


def test_end_other_only_ends_the_members_own(app, db):
    ana, bea = make_user("ana"), make_user("bea")
    beas = login_sessions.start(bea, remember=False)
    anas = login_sessions.start(ana, remember=False)
    current = login_sessions.start(ana, remember=False)

    with pytest.raises(login_sessions.SignInNotFoundError):
        login_sessions.end_other(ana, beas.id)
    with pytest.raises(login_sessions.SignInNotFoundError):
        login_sessions.end_other(ana, current.id)
    login_sessions.end_other(ana, anas.id)
    assert login_sessions.list_(ana) == [current]
    assert login_sessions.list_(bea) == [beas]


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 OPR/115.0 Chrome/130.0",
            "Opera on Linux",
        ),
        ("curl/8.5.0", "curl"),
        ("Werkzeug/3.1.9", "Werkzeug"),
        ("", "Unknown browser"),
    ],
)
def test_browser_names(user_agent, name):
    assert login_sessions.browser_name(user_agent) == name

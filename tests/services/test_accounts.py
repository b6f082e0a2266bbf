"""Creating accounts and checking passwords."""

import base64
import time

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from app.services import accounts, diary, login_sessions, reviews, tokens, twofactor
from app.services.accounts import AccountError
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.twofactor import TwoFactorError
from tests.factories import PASSWORD, make_user


def test_create_normalizes_the_email_and_hashes_the_password(db):
    user = accounts.create(email="  Ana@Example.COM ", username=" Ana ", password=PASSWORD)
    assert user.email == "ana@example.com"
    assert user.username == "Ana"
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("email", "username", "password", "message"),
    [
        ("not-an-email", "ana", PASSWORD, "valid email"),
        ("ana@example.com", "  ", PASSWORD, "Use between 3 and 30 characters"),
        ("ana@example.com", "ana", "short", "at least 10 characters"),
    ],
)
def test_create_refuses_bad_input(db, email, username, password, message):
    with pytest.raises(AccountError, match=message):
        accounts.create(email=email, username=username, password=password)


def test_create_refuses_a_taken_email_or_username(db):
    make_user("ana")
    with pytest.raises(AccountError, match="already registered"):
        accounts.create(email="ANA@example.com", username="bea", password=PASSWORD)
    with pytest.raises(AccountError, match="That username is taken"):
        accounts.create(email="bea@example.com", username="ANA", password=PASSWORD)


def test_authenticate_by_username_or_email(db):
    user = make_user("Ana")
    assert accounts.authenticate(identifier="ana", password=PASSWORD) is user
    assert accounts.authenticate(identifier="ANA@example.com", password=PASSWORD) is user


def test_authenticate_refuses_wrong_credentials_with_one_message(db):
    make_user("ana")
    with pytest.raises(AccountError) as wrong_password:
        accounts.authenticate(identifier="ana", password="nope nope nope")
    with pytest.raises(AccountError) as unknown:
        accounts.authenticate(identifier="nobody", password=PASSWORD)
    assert str(wrong_password.value) == str(unknown.value)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("iloveyou123", "most common ones"),
        ("ILOVEYOU123", "most common ones"),
        ("anabanana@example.com", "not your email address or username"),
        ("anabanana", "at least 10 characters"),
        ("Anabanana1", None),
    ],
)
def test_the_password_policy(app, password, message):
    with app.app_context():
        if message is None:
            accounts.check_password(password, email="anabanana@example.com", username="ana")
            return
        with pytest.raises(AccountError, match=message) as refused:
            accounts.check_password(password, email="anabanana@example.com", username="anabanana")
        assert refused.value.field == "password"


def test_the_minimum_length_is_a_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", 16)
    with app.app_context(), pytest.raises(AccountError, match="at least 16 characters"):
        accounts.check_password("fifteen chars!!")


def test_the_common_password_list_is_bundled():
    assert len(accounts.common_passwords()) > 19_000
    assert "password" in accounts.common_passwords()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Ana@Example.COM ", "ana@example.com"),
        ("ana@bücher.example", "ana@bücher.example"),
    ],
)
def test_emails_are_normalized(raw, stored):
    assert accounts.normalize_email(raw) == stored


@pytest.mark.parametrize(
    "raw", ["", "ana", "ana@", "@example.com", "a b@example.com", "ana@-x-.com"]
)
def test_bad_emails_are_refused(raw):
    with pytest.raises(AccountError, match="valid email"):
        accounts.normalize_email(raw)


def test_find_by_email_ignores_usernames_and_nonsense(db):
    user = make_user("ana")
    assert accounts.get_by_email("ANA@example.com") is user
    assert accounts.get_by_email("ana") is None
    assert accounts.get_by_email("not an email") is None


def test_a_new_password_renews_the_session_token(app, db):
    user = make_user("ana")
    before = user.session_token

    accounts.change_password(user, current=PASSWORD, new="a different passphrase")

    assert user.session_token != before
    assert user.get_id() == f"{user.id}:{user.session_token}"
    with pytest.raises(AccountError, match="not your current password"):
        accounts.change_password(user, current=PASSWORD, new="yet another passphrase")


def test_a_reset_token_works_until_the_password_changes(app, db):
    from app.services import tokens

    user = make_user("ana")
    token = accounts.reset_token(user)
    assert accounts.user_for_reset(token) is user

    accounts.reset_password(token, "a different passphrase")

    with pytest.raises(tokens.TokenError) as used:
        accounts.user_for_reset(token)
    assert used.value.reason == "used"


def test_deleting_an_account_updates_the_figures_of_movies_it_reviewed(db):
    from app.services import reviews
    from tests.factories import make_movie

    ana, bea = make_user("ana"), make_user("bea")
    alien, heat = make_movie("Alien"), make_movie("Heat")
    for user, movie, rating in ((ana, alien, 10), (bea, alien, 4), (ana, heat, 8)):
        reviews.upsert(
            user=user, movie=movie, rating=rating, body=None, spoilers=False, recommends=None
        )

    accounts.delete(ana, password=PASSWORD)

    db.session.refresh(alien)
    db.session.refresh(heat)
    assert (alien.review_count, alien.review_average) == (1, 4.0)
    assert (heat.review_count, heat.review_average) == (0, None)


def test_sign_up_mails_a_confirmation_link_to_a_new_address(db):
    mail = accounts.sign_up(email=" Ana@Example.com", username="ana", password=PASSWORD)

    assert mail.kind == "confirm_email"
    assert mail.to == "ana@example.com"
    assert mail.user is not None
    assert mail.user.email == "ana@example.com"


def test_sign_up_with_a_registered_address_tells_its_owner_and_creates_nobody(db):
    make_user("ana")

    mail = accounts.sign_up(email="ANA@example.com", username="someone", password=PASSWORD)

    assert (mail.kind, mail.to, mail.user) == ("already_registered", "ana@example.com", None)
    assert accounts.get_by_username("someone") is None


def test_an_email_change_mails_a_link_or_a_notice_when_the_address_is_taken(db):
    ana, bea = make_user("ana"), make_user("bea")

    link = accounts.request_email_change(ana, password=PASSWORD, new_email="New@example.com")
    notice = accounts.request_email_change(ana, password=PASSWORD, new_email=bea.email)

    assert (link.kind, link.to, link.user) == ("change_email", "new@example.com", ana)
    assert accounts.pending_email_change(link.token) == (ana, "new@example.com")
    assert (notice.kind, notice.to, notice.token) == ("address_in_use", bea.email, None)


def test_get_by_username_can_leave_out_closed_accounts(db):
    ana = make_user("Ana")
    ana.active = False

    assert accounts.get_by_username("ANA") is ana
    assert accounts.get_by_username("ana", active_only=True) is None


def current_code(secret: str) -> str:
    """What an authenticator app holding `secret` shows now."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30).generate(time.time()).decode()  # noqa: S303


def test_two_factor_is_turned_on_with_the_password_and_a_first_code(db):
    ana = make_user("ana")
    secret = twofactor.begin_setup(ana)

    with pytest.raises(AccountError, match="not your current password") as wrong_password:
        accounts.enable_two_factor(ana, password="wrong", code=current_code(secret))
    with pytest.raises(TwoFactorError, match="did not match") as wrong_code:
        accounts.enable_two_factor(ana, password=PASSWORD, code="000000")
    codes = accounts.enable_two_factor(ana, password=PASSWORD, code=current_code(secret))

    assert wrong_password.value.field == "current_password"
    assert wrong_code.value.field == "code"
    assert ana.two_factor_enabled
    assert len(codes) == twofactor.BACKUP_CODE_COUNT


def test_two_factor_set_up_needs_a_pending_key(db):
    with pytest.raises(TwoFactorError, match="Start the set-up again"):
        accounts.enable_two_factor(make_user("ana"), password=PASSWORD, code="123456")


def test_turning_two_factor_on_or_off_ends_the_other_sessions(db):
    ana = make_user("ana")
    secret = twofactor.begin_setup(ana)
    other = login_sessions.start(ana, remember=False)
    this = login_sessions.start(ana, remember=False)

    codes = accounts.enable_two_factor(ana, password=PASSWORD, code=current_code(secret))
    assert login_sessions.list_(ana) == [this]

    again = login_sessions.start(ana, remember=False)
    login_sessions.start(ana, remember=False)
    accounts.disable_two_factor(ana, password=PASSWORD, code=codes[0])

    assert not ana.two_factor_enabled
    assert again not in login_sessions.list_(ana)
    assert other not in login_sessions.list_(ana)


def test_new_backup_codes_need_the_password_and_two_factor_on(db):
    ana = make_user("ana")
    with pytest.raises(TwoFactorError, match="Turn on two-factor"):
        accounts.renew_backup_codes(ana, password=PASSWORD)
    secret = twofactor.begin_setup(ana)
    first = accounts.enable_two_factor(ana, password=PASSWORD, code=current_code(secret))

    with pytest.raises(AccountError, match="not your current password"):
        accounts.renew_backup_codes(ana, password="wrong")
    fresh = accounts.renew_backup_codes(ana, password=PASSWORD)

    assert set(fresh).isdisjoint(first)
    assert twofactor.remaining_backup_codes(ana) == len(fresh)


def test_every_refusal_is_a_service_error():
    for error in (AccountError, TwoFactorError, tokens.TokenError, diary.DiaryError):
        assert issubclass(error, ServiceError)
    assert issubclass(reviews.ReviewNotFoundError, NotFoundError)
    assert issubclass(reviews.NotYourReviewError, ForbiddenError)

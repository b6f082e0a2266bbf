"""Creating accounts and checking passwords."""

import pytest

from app.services import accounts
from app.services.accounts import AccountError
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
        ("ana@example.com", "  ", PASSWORD, "Choose a username"),
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
    with pytest.raises(AccountError, match="already registered"):
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

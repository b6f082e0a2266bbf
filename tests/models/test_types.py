"""Column types: EncryptedString."""

import pytest
from sqlalchemy.exc import StatementError

from app.infra.crypto import CryptoError
from app.models import User
from tests.support import stored_secret


def add_user(db, secret: str | None) -> User:
    user = User(username="ana", email="ana@example.com", password_hash="x", totp_secret=secret)
    db.session.add(user)
    db.session.commit()
    return user


def test_an_encrypted_column_stores_a_versioned_token(db, instance):
    user = add_user(db, "JBSWY3DPEHPK3PXP")

    stored = stored_secret(db, user)
    assert stored.startswith("v1:gAAAAA")
    assert "JBSWY3DPEHPK3PXP" not in stored
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == "JBSWY3DPEHPK3PXP"


def test_a_value_that_looks_stored_is_encrypted_like_any_other(db, instance):
    lookalike = "v1:gAAAAABnot-really-a-token"
    user = add_user(db, lookalike)

    assert stored_secret(db, user) != lookalike
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == lookalike


def test_none_stays_null(db, instance):
    user = add_user(db, None)

    assert stored_secret(db, user) is None
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None


def test_writing_without_a_data_key_says_how_to_make_one(db, empty_instance):
    secret = "JBSWY3DPEHPK3PXP"
    db.session.add(
        User(username="ana", email="a@example.com", password_hash="x", totp_secret=secret)
    )

    with pytest.raises(StatementError, match="run `flask crypto init`") as refused:
        db.session.flush()
    assert isinstance(refused.value.orig, CryptoError)
    assert secret not in str(refused.value)  # parameters are hidden from errors and logs
    db.session.rollback()

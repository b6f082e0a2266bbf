"""Personal access tokens: made, checked, revoked; only their hash is kept."""

from datetime import timedelta

import pytest

from app.models import ApiToken
from app.models.mixins import utcnow
from app.services import api_tokens
from app.services.api_tokens import ApiTokenError, ApiTokenNotFoundError, TokenRefusedError
from tests.factories import make_user


def make_token(user, **options):
    options = {"name": "Dashboard", "scopes": {"read"}, "expires_in_days": None, **options}
    return api_tokens.create(user=user, **options)


def test_a_token_is_shown_once_and_stored_only_as_its_hash(db):
    ana = make_user("ana")

    made = make_token(ana)

    assert made.secret.startswith("mq_")
    assert len(made.secret) >= 40
    stored = db.session.get(ApiToken, made.token.id)
    assert stored.secret_hash == api_tokens.secret_hash(made.secret) != made.secret
    assert made.secret not in (stored.secret_hash, stored.prefix, stored.name)
    assert made.secret.startswith(stored.prefix)
    assert len(stored.prefix) == 9


def test_two_tokens_never_share_a_secret(db):
    ana = make_user("ana")

    secrets = {make_token(ana).secret for _ in range(20)}

    assert len(secrets) == 20


def test_write_includes_read_and_names_are_tidied(db):
    ana = make_user("ana")

    made = make_token(ana, name="  Home   dashboard ", scopes={"write"}, expires_in_days=30)

    assert made.token.scope_set == {"read", "write"}
    assert made.token.name == "Home dashboard"
    assert made.token.expires_at - made.token.created_at == timedelta(days=30)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"scopes": set()}, "scopes"),
        ({"scopes": {"admin"}}, "scopes"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 10_000}, "expires_in_days"),
    ],
)
def test_a_token_asked_for_wrongly_is_refused_on_its_field(db, options, field):
    ana = make_user("ana")

    with pytest.raises(ApiTokenError) as refused:
        make_token(ana, **options)

    assert refused.value.field == field


def test_a_member_has_at_most_25_working_tokens(db):
    ana = make_user("ana")
    for _ in range(api_tokens.MAX_ACTIVE_TOKENS):
        make_token(ana)

    with pytest.raises(ApiTokenError, match="revoke one"):
        make_token(ana)
    api_tokens.revoke(ana, api_tokens.list_(ana)[0].id)
    assert make_token(ana).token.id


def test_authenticate_finds_the_token_and_its_member(db):
    ana = make_user("ana")
    made = make_token(ana)

    token = api_tokens.authenticate(made.secret)

    assert token.id == made.token.id
    assert token.user.username == "ana"


@pytest.mark.parametrize(
    ("secret", "reason"),
    [(None, "missing"), ("", "missing"), ("hunter2", "malformed"), ("mq_" + "a" * 43, "unknown")],
)
def test_authenticate_refuses_what_is_not_a_live_token(db, secret, reason):
    with pytest.raises(TokenRefusedError) as refused:
        api_tokens.authenticate(secret)

    assert refused.value.reason == reason


def test_a_revoked_token_stops_working_at_once(db):
    ana = make_user("ana")
    made = make_token(ana)

    api_tokens.revoke(ana, made.token.id)

    with pytest.raises(TokenRefusedError) as refused:
        api_tokens.authenticate(made.secret)
    assert refused.value.reason == "revoked"
    assert api_tokens.list_(ana) == []


def test_an_expired_token_is_refused(db):
    ana = make_user("ana")
    made = make_token(ana, expires_in_days=1)
    made.token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    with pytest.raises(TokenRefusedError) as refused:
        api_tokens.authenticate(made.secret)

    assert refused.value.reason == "expired"
    assert api_tokens.active_count(ana) == 0
    assert api_tokens.list_(ana) == [made.token]  # still listed, as expired


def test_a_disabled_account_s_tokens_are_refused(db):
    ana = make_user("ana")
    made = make_token(ana)
    ana.active = False
    db.session.flush()

    with pytest.raises(TokenRefusedError) as refused:
        api_tokens.authenticate(made.secret)

    assert refused.value.reason == "inactive"


def test_no_one_revokes_another_member_s_token(db):
    ana, bruno = make_user("ana"), make_user("bruno")
    made = make_token(ana)

    with pytest.raises(ApiTokenNotFoundError):
        api_tokens.revoke(bruno, made.token.id)

    assert api_tokens.authenticate(made.secret).id == made.token.id


def test_last_use_is_written_at_most_once_a_minute(db):
    ana = make_user("ana")
    token = make_token(ana).token
    start = utcnow()

    assert api_tokens.record_use(token, now=start) is True
    assert api_tokens.record_use(token, now=start + timedelta(seconds=30)) is False
    assert api_tokens.record_use(token, now=start + timedelta(seconds=61)) is True
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == start + timedelta(seconds=61)


def test_list_is_newest_first_and_only_the_member_s_own(db):
    ana, bruno = make_user("ana"), make_user("bruno")
    first, second = make_token(ana, name="first"), make_token(ana, name="second")
    make_token(bruno)

    assert [token.name for token in api_tokens.list_(ana)] == ["second", "first"]
    assert {first.token.id, second.token.id} == {token.id for token in api_tokens.list_(ana)}

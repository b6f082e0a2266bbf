"""Two-factor sign-in: setup, authenticator codes, backup codes, turning it off."""

import base64
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from sqlalchemy import select, update

from app.models import BackupCode, User
from app.services import twofactor
from app.services.twofactor import TwoFactorError
from tests.factories import make_user
from tests.support import stored_secret

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = 56_666_667
NOW = STEP * 30 + 12.5
# Set up well before NOW, so every code near NOW is newer than the one that enabled it.
ENABLED_AT = NOW - 20 * 30
BACKUP_CODE = re.compile(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}")


def code_at(when: float, secret: str = SECRET) -> str:
    """What an authenticator app with `secret` shows at `when`."""
    return TOTP(base64.b32decode(secret), 6, SHA1(), 30).generate(when).decode()  # noqa: S303


@pytest.fixture
def user(db, instance) -> User:
    return make_user("ana")


@pytest.fixture
def backup_codes(user: User) -> list[str]:
    """Two-factor sign-in turned on for `user` at ENABLED_AT; the backup codes it gave."""
    return twofactor.enable(user, secret=SECRET, code=code_at(ENABLED_AT), now=ENABLED_AT)


def accepted(user: User, code: str, *, now: float) -> bool:
    """Whether twofactor.verify takes the code (using it up) rather than refusing it."""
    try:
        twofactor.verify(user, code, now=now)
    except TwoFactorError:
        return False
    return True


def wrong_code_at(when: float) -> str:
    """A six-digit code that is not the one shown at `when`."""
    return f"{(int(code_at(when)) + 1) % 1_000_000:06d}"


def test_new_secret_is_160_random_bits_in_unpadded_base32():
    secret = twofactor.new_secret()

    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert twofactor.new_secret() != secret


def test_format_secret_groups_it_in_fours():
    assert twofactor.format_secret(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"


def test_provisioning_uri_carries_the_secret_issuer_and_account():
    uri = twofactor.provisioning_uri(SECRET, account="Ana López/1@example.com")

    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/Marquee:Ana López/1@example.com"
    assert parts.path.count("/") == 1
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["Marquee"]
    assert query["digits"] == ["6"]
    assert query["period"] == ["30"]
    assert query["algorithm"] == ["SHA1"]


def test_provisioning_uri_quotes_an_issuer_with_spaces():
    uri = twofactor.provisioning_uri(SECRET, account="ana", issuer="Marquee Staging")

    assert uri.startswith("otpauth://totp/Marquee%20Staging:ana?")
    assert parse_qs(urlsplit(uri).query)["issuer"] == ["Marquee Staging"]


def test_qr_code_is_an_svg_data_uri():
    uri = twofactor.qr_code_svg(twofactor.provisioning_uri(SECRET, account="ana"))

    header, _, data = uri.partition(",")
    assert header.startswith("data:image/svg+xml")
    svg = unquote(data)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_code_matches_the_current_step_and_one_either_side(offset):
    code = code_at(NOW + offset * 30)

    assert twofactor.code_matches(SECRET, code, now=NOW) == STEP + offset


@pytest.mark.parametrize("offset", [-2, 2])
def test_code_matches_nothing_two_steps_away(offset):
    assert twofactor.code_matches(SECRET, code_at(NOW + offset * 30), now=NOW) is None


def test_code_matches_ignores_spaces():
    code = code_at(NOW)

    assert twofactor.code_matches(SECRET, f" {code[:3]} {code[3:]} ", now=NOW) == STEP


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "abcdef", "١٢٣٤٥٦"])
def test_code_matches_refuses_anything_but_six_digits(code):
    assert twofactor.code_matches(SECRET, code, now=NOW) is None


def test_code_matches_refuses_a_secret_that_is_not_base32():
    with pytest.raises(TwoFactorError, match="setup key"):
        twofactor.code_matches("not base32!", code_at(NOW), now=NOW)


def test_enable_refuses_a_wrong_code(db, user):
    with pytest.raises(TwoFactorError, match="did not match"):
        twofactor.enable(user, secret=SECRET, code=wrong_code_at(NOW), now=NOW)

    assert not user.two_factor_enabled
    assert user.totp_secret is None
    assert stored_secret(db, user) is None
    assert user.backup_codes == []


def test_enable_stores_the_secret_and_returns_ten_backup_codes(user):
    codes = twofactor.enable(user, secret=SECRET, code=code_at(NOW - 30), now=NOW)

    assert user.two_factor_enabled
    assert user.totp_secret == SECRET
    assert user.totp_enabled_at is not None
    assert user.totp_enabled_at.tzinfo is not None
    assert user.totp_last_step == STEP - 1
    assert len(codes) == 10
    assert twofactor.remaining_backup_codes(user) == 10


def test_enable_stores_the_secret_encrypted(db, user):
    twofactor.enable(user, secret=SECRET, code=code_at(NOW), now=NOW)

    raw = stored_secret(db, user)
    assert raw.startswith("v")
    assert SECRET not in raw


def test_enable_refuses_when_already_on(user, backup_codes):
    with pytest.raises(TwoFactorError, match="already on"):
        twofactor.enable(user, secret=twofactor.new_secret(), code=code_at(NOW), now=NOW)

    assert user.totp_secret == SECRET


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_verify_accepts_a_code_one_step_either_side_and_records_its_step(
    db, user, backup_codes, offset
):
    assert accepted(user, code_at(NOW + offset * 30), now=NOW)

    db.session.expire(user)
    assert user.totp_last_step == STEP + offset


@pytest.mark.parametrize("offset", [-2, 2])
def test_verify_refuses_a_code_two_steps_away(user, backup_codes, offset):
    assert not accepted(user, code_at(NOW + offset * 30), now=NOW)
    assert user.totp_last_step == STEP - 20


def test_verify_refuses_the_same_code_twice(user, backup_codes):
    code = code_at(NOW)

    assert accepted(user, code, now=NOW)
    assert not accepted(user, code, now=NOW)
    assert not accepted(user, code, now=NOW + 30)


def test_verify_refuses_the_code_that_turned_it_on(user, backup_codes):
    assert not accepted(user, code_at(ENABLED_AT), now=ENABLED_AT)


def test_verify_refuses_an_earlier_step_after_a_later_one(user, backup_codes):
    assert accepted(user, code_at(NOW + 30), now=NOW)

    assert not accepted(user, code_at(NOW), now=NOW)
    assert not accepted(user, code_at(NOW - 30), now=NOW)
    assert user.totp_last_step == STEP + 1


def test_verify_refuses_a_step_another_request_used_meanwhile(db, user, backup_codes):
    # Another sign-in with the same code commits first; this session has not seen it.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_last_step=STEP)
        .execution_options(synchronize_session=False)
    )
    assert user.totp_last_step == STEP - 20

    assert not accepted(user, code_at(NOW), now=NOW)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "abc-def", "-" * 500])
def test_verify_refuses_malformed_input_without_raising(user, backup_codes, code):
    assert not accepted(user, code, now=NOW)


def test_verify_refuses_with_a_message_for_the_code_field(user, backup_codes):
    with pytest.raises(TwoFactorError, match="not right, or was already used") as refused:
        twofactor.verify(user, wrong_code_at(NOW), now=NOW)

    assert refused.value.field == "code"


def test_verify_refuses_everything_while_two_factor_is_off(user):
    assert not accepted(user, code_at(NOW), now=NOW)


def test_backup_codes_are_ten_unique_grouped_codes(backup_codes):
    assert len(backup_codes) == 10
    assert len(set(backup_codes)) == 10
    for code in backup_codes:
        assert BACKUP_CODE.fullmatch(code), code


def test_backup_codes_are_stored_only_as_hashes(db, user, backup_codes):
    stored = db.session.scalars(select(BackupCode.code_hash).where(BackupCode.user_id == user.id))

    for code_hash in stored:
        assert re.fullmatch(r"[0-9a-f]{64}", code_hash)
        for code in backup_codes:
            assert code not in code_hash
            assert code.replace("-", "") not in code_hash


def test_a_backup_code_works_once_whatever_its_case_and_spacing(db, user, backup_codes):
    first, second, *_ = backup_codes

    assert accepted(user, f"  {first.upper().replace('-', ' ')} ", now=NOW)
    assert twofactor.remaining_backup_codes(user) == 9
    assert not accepted(user, first, now=NOW)
    assert accepted(user, second.replace("-", ""), now=NOW)
    assert twofactor.remaining_backup_codes(user) == 8

    used = db.session.scalars(select(BackupCode).where(BackupCode.used_at.is_not(None))).all()
    assert len(used) == 2
    assert user.totp_last_step == STEP - 20


def test_backup_codes_belong_to_their_user(db, instance, user, backup_codes):
    bea = make_user("bea")
    twofactor.enable(bea, secret=SECRET, code=code_at(ENABLED_AT), now=ENABLED_AT)

    assert not accepted(bea, backup_codes[0], now=NOW)
    assert twofactor.remaining_backup_codes(user) == 10


def test_new_backup_codes_invalidate_the_old_ones(user, backup_codes):
    twofactor.verify(user, backup_codes[0], now=NOW)

    fresh = twofactor.new_backup_codes(user)

    assert set(fresh).isdisjoint(backup_codes)
    assert twofactor.remaining_backup_codes(user) == 10
    assert not accepted(user, backup_codes[1], now=NOW)
    assert accepted(user, fresh[0], now=NOW)
    assert twofactor.remaining_backup_codes(user) == 9


def test_new_backup_codes_need_two_factor_on(user):
    with pytest.raises(TwoFactorError, match="Turn on"):
        twofactor.new_backup_codes(user)


def test_disable_refuses_a_wrong_code(user, backup_codes):
    with pytest.raises(TwoFactorError, match="did not match"):
        twofactor.disable(user, code=wrong_code_at(NOW), now=NOW)

    assert user.two_factor_enabled
    assert user.totp_secret == SECRET
    assert twofactor.remaining_backup_codes(user) == 10


@pytest.mark.parametrize("use_backup_code", [False, True])
def test_disable_with_a_valid_code_clears_everything(db, user, backup_codes, use_backup_code):
    code = backup_codes[0] if use_backup_code else code_at(NOW)

    twofactor.disable(user, code=code, now=NOW)

    db.session.expire(user)
    assert not user.two_factor_enabled
    assert user.totp_secret is None
    assert stored_secret(db, user) is None
    assert user.totp_enabled_at is None
    assert user.totp_last_step is None
    assert twofactor.remaining_backup_codes(user) == 0
    assert db.session.scalars(select(BackupCode).where(BackupCode.user_id == user.id)).all() == []


def test_disable_refuses_when_off(user):
    with pytest.raises(TwoFactorError, match="not on"):
        twofactor.disable(user, code=code_at(NOW), now=NOW)


def test_two_factor_can_be_turned_on_again_with_a_new_secret(user, backup_codes):
    twofactor.disable(user, code=code_at(NOW), now=NOW)
    secret = twofactor.new_secret()

    codes = twofactor.enable(user, secret=secret, code=code_at(NOW + 60, secret), now=NOW + 60)

    assert user.totp_secret == secret
    assert user.totp_last_step == STEP + 2
    assert set(codes).isdisjoint(backup_codes)
    assert accepted(user, code_at(NOW + 90, secret), now=NOW + 90)


def test_a_set_up_begins_with_a_key_kept_until_confirmed(db, instance):
    user = make_user("setup")

    assert twofactor.pending_secret(user) is None
    secret = twofactor.begin_setup(user)

    assert twofactor.pending_secret(user) == secret
    twofactor.enable(user, secret=secret, code=code_at(NOW, secret), now=NOW)
    assert twofactor.pending_secret(user) is None
    with pytest.raises(twofactor.TwoFactorError, match="already on"):
        twofactor.begin_setup(user)

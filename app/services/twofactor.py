"""Two-factor sign-in: authenticator-app codes (TOTP) and single-use backup codes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from urllib.parse import quote, urlencode

import segno
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from ..infra.db import db
from ..models import BackupCode, User
from ..models.mixins import utcnow
from .errors import ServiceError

# What authenticator apps assume when a URI says nothing else.
CODE_DIGITS = 6
TIME_STEP = 30
SECRET_BYTES = 20
# Steps either side of the current one still accepted, for clocks that drift.
ALLOWED_DRIFT = 1

BACKUP_CODE_COUNT = 10
# No 0/o, 1/l/i: nothing a reader could take for another character.
BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
# 12 symbols from 31 are 59 bits of randomness, shown as three groups of four.
BACKUP_CODE_LENGTH = 12
BACKUP_CODE_GROUP = 4

_CODE = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")
_BACKUP_CODE = re.compile(rf"[{BACKUP_CODE_ALPHABET}]{{{BACKUP_CODE_LENGTH}}}")
_SPACES = re.compile(r"\s+")
_SPACES_AND_DASHES = re.compile(r"[\s-]+")


WRONG_CODE = _l("That code is not right, or was already used.")


class TwoFactorError(ServiceError):
    """A two-factor operation was refused; the message belongs to the code field."""

    def __init__(self, message: str, *, field: str | None = "code") -> None:
        super().__init__(message, field=field)


def new_secret() -> str:
    """A fresh TOTP secret: 160 random bits in base32, without padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def format_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an authenticator by hand."""
    secret = _normalize_secret(secret)
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def provisioning_uri(secret: str, *, account: str, issuer: str = "Marquee") -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    # The label's colon separates issuer and account, so neither may contain one.
    issuer = issuer.replace(":", " ").strip()
    account = account.replace(":", " ").strip()
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    parameters = {
        "secret": _normalize_secret(secret),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": CODE_DIGITS,
        "period": TIME_STEP,
    }
    # quote, not quote_plus: some apps show a "+" where a space was meant.
    return f"otpauth://totp/{label}?{urlencode(parameters, quote_via=quote)}"


def qr_code_svg(uri: str) -> str:
    """The URI as a QR code in an SVG data URI, for an <img src>."""
    qr = segno.make_qr(uri, error="m")
    return qr.svg_data_uri(scale=5, border=4, title=_("QR code for your authenticator app"))


def code_matches(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code `code` is, within one step of now, or None."""
    return _matching_step(secret, code, now=now, after=None)


def begin_setup(user: User) -> str:
    """Give the user a new key to put in an authenticator app; kept until a code confirms it."""
    if user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is already on."))
    user.totp_secret = new_secret()
    db.session.flush()
    return user.totp_secret


def pending_secret(user: User) -> str | None:
    """The key of a set-up that has begun and not been confirmed yet."""
    return None if user.two_factor_enabled else user.totp_secret


def enable(user: User, *, secret: str, code: str, now: float | None = None) -> list[str]:
    """Turn two-factor sign-in on once a code proves the app has the secret; new backup codes."""
    if user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is already on."))
    secret = _normalize_secret(secret)
    step = code_matches(secret, code, now=now)
    if step is None:
        raise TwoFactorError(
            _("That code did not match. Enter the code your app shows now, and check its clock.")
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    db.session.flush()
    return new_backup_codes(user)


def verify(user: User, code: str, *, now: float | None = None) -> None:
    """Use up `code`: a fresh authenticator code or an unused backup code, else TwoFactorError."""
    if not _uses_up(user, code, now=now):
        raise TwoFactorError(str(WRONG_CODE))


def _uses_up(user: User, code: str, *, now: float | None) -> bool:
    if not user.two_factor_enabled or user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, now=now, after=user.totp_last_step)
    if step is not None:
        return _record_step(user, step)
    return _use_backup_code(user, code)


def disable(user: User, *, code: str, now: float | None = None) -> None:
    """Turn two-factor sign-in off, given a current code or a backup code."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is not on."))
    if not _uses_up(user, code, now=now):
        raise TwoFactorError(_("That code did not match."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.backup_codes = []
    db.session.flush()


def new_backup_codes(user: User) -> list[str]:
    """Replace all of the user's backup codes with new ones; their text is only returned here."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_("Turn on two-factor sign-in first."))
    if user.id is None:
        db.session.flush()
    codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    user.backup_codes = [
        BackupCode(code_hash=_hash_backup_code(user, _normalize_backup_code(code)))
        for code in codes
    ]
    db.session.flush()
    return codes


def remaining_backup_codes(user: User) -> int:
    """How many of the user's backup codes are still unused."""
    return db.session.scalar(
        select(func.count())
        .select_from(BackupCode)
        .where(BackupCode.user_id == user.id, BackupCode.used_at.is_(None))
    )


def _normalize_secret(secret: str) -> str:
    return _SPACES.sub("", secret).upper().rstrip("=")


def _totp(secret: str) -> TOTP:
    secret = _normalize_secret(secret)
    try:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        # SHA-1 because authenticator apps expect it; SHA-1 collisions do not weaken HMAC.
        return TOTP(key, CODE_DIGITS, SHA1(), TIME_STEP)  # noqa: S303
    except (binascii.Error, ValueError) as error:
        raise TwoFactorError(_("That setup key is not valid; start the setup again.")) from error


def _matching_step(secret: str, code: str, *, now: float | None, after: int | None) -> int | None:
    """The step in the allowed window, later than `after`, whose code `code` is."""
    totp = _totp(secret)
    code = _SPACES.sub("", code)
    if not _CODE.fullmatch(code):
        return None
    current = int((time.time() if now is None else now) // TIME_STEP)
    for step in range(current - ALLOWED_DRIFT, current + ALLOWED_DRIFT + 1):
        if step < 0 or (after is not None and step <= after):
            continue
        try:
            totp.verify(code.encode("ascii"), step * TIME_STEP)
        except InvalidToken:
            continue
        return step
    return None


def _record_step(user: User, step: int) -> bool:
    """Move the user's last step forward, unless a concurrent sign-in already used it."""
    # One conditional UPDATE, so two requests racing with the same code cannot both pass.
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount == 1


def _use_backup_code(user: User, code: str) -> bool:
    code = _normalize_backup_code(code)
    if not _BACKUP_CODE.fullmatch(code):
        return False
    # As for steps: a conditional UPDATE, so a code is used once even by racing requests.
    result = db.session.execute(
        update(BackupCode)
        .where(
            BackupCode.user_id == user.id,
            BackupCode.code_hash == _hash_backup_code(user, code),
            BackupCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount == 1


def _new_backup_code() -> str:
    symbols = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return "-".join(
        symbols[start : start + BACKUP_CODE_GROUP]
        for start in range(0, BACKUP_CODE_LENGTH, BACKUP_CODE_GROUP)
    )


def _normalize_backup_code(code: str) -> str:
    return _SPACES_AND_DASHES.sub("", code).lower()


def _hash_backup_code(user: User, code: str) -> str:
    # A fast hash is enough: a code holds 59 random bits, so a stolen table still
    # costs about 2^58 guesses per code, while a slow KDF would only slow sign-in.
    # The user id salts it, so one guess cannot be tried against everyone's codes.
    return hashlib.sha256(f"marquee-backup-code:{user.id}:{code}".encode()).hexdigest()

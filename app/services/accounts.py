"""Accounts: sign-up rules, credentials, confirmation, password changes and deletion."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..infra.db import db
from ..models import Review, Role, User
from ..models.mixins import utcnow
from . import login_sessions, reviews, revisions, tokens, twofactor
from .errors import ServiceError

MIN_PASSWORD_LENGTH = 10  # the default of PASSWORD_MIN_LENGTH
MAX_PASSWORD_LENGTH = 1024
USERNAME_LENGTH = (3, 30)
# Paths and words a username could be mistaken for.
RESERVED_USERNAMES = frozenset(
    {"account", "admin", "administrator", "login", "logout", "marquee", "me", "root", "signup"}
)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
# Checked against when no account matches, so both paths cost one hash.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ServiceError):
    """An account operation was refused."""


@dataclass(frozen=True)
class Mail:
    """A mail an account operation decided to send: which one, to whom, about which account."""

    kind: Literal["confirm_email", "already_registered", "change_email", "address_in_use"]
    to: str
    user: User | None = None
    token: str | None = None


# Rules.


def normalize_email(raw: str) -> str:
    """The email in the form accounts store it (lower case), or an AccountError."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(_("Enter a valid email address."), field="email") from None
    return checked.normalized.lower()


def check_username(username: str) -> str:
    """The username, trimmed, if it is allowed; otherwise an AccountError."""
    username = username.strip()
    shortest, longest = USERNAME_LENGTH
    if not shortest <= len(username) <= longest:
        raise AccountError(
            _(
                "Use between %(shortest)s and %(longest)s characters for the username.",
                shortest=shortest,
                longest=longest,
            ),
            field="username",
        )
    # ASCII only: look-alike letters from other scripts could impersonate a member.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", username):
        raise AccountError(
            _(
                "Use letters a to z, digits, dots, dashes and underscores, starting with a letter "
                "or digit."
            ),
            field="username",
        )
    if username.casefold() in RESERVED_USERNAMES:
        raise AccountError(_("That username is reserved; choose another."), field="username")
    return username


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords that leak most often (lower case)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def check_password(password: str, *, email: str = "", username: str = "") -> None:
    """Refuse a password that is short, common, or the account's own email or name."""
    shortest = current_app.config.get("PASSWORD_MIN_LENGTH", MIN_PASSWORD_LENGTH)
    if len(password) < shortest:
        raise AccountError(
            ngettext(
                "Use a password of at least %(num)s character.",
                "Use a password of at least %(num)s characters.",
                shortest,
            ),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "Use a password of at most %(num)s character.",
                "Use a password of at most %(num)s characters.",
                MAX_PASSWORD_LENGTH,
            ),
            field="password",
        )
    folded = password.casefold()
    if folded in common_passwords():
        raise AccountError(
            _("That password is one of the most common ones; choose another."), field="password"
        )
    own = {email.casefold(), email.split("@")[0].casefold(), username.casefold()} - {""}
    if folded in own:
        raise AccountError(
            _("Choose a password that is not your email address or username."), field="password"
        )


def hash_password(password: str) -> str:
    """A scrypt hash of the password (memory-hard)."""
    return generate_password_hash(password, method="scrypt")


# Finding and signing in.


def get(user_id: object) -> User | None:
    """The user with this row id, or None (also for an id that is not a number)."""
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def get_by_identifier(identifier: str) -> User | None:
    """The user whose email or username (any case) is `identifier`."""
    identifier = identifier.strip()
    return db.session.scalar(
        select(User).where(
            or_(User.email == identifier.lower(), User.username_key == identifier.casefold())
        )
    )


def get_by_email(raw: str) -> User | None:
    """The user with this email, or None (also for text that is not an email)."""
    try:
        email = normalize_email(raw)
    except AccountError:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def get_by_username(username: str, *, active_only: bool = False) -> User | None:
    """The user with this username, in any case (None for a closed account if `active_only`)."""
    user = db.session.scalar(select(User).where(User.username_key == username.casefold()))
    return None if user is None or (active_only and not user.is_active) else user


def authenticate(*, identifier: str, password: str) -> User:
    """The active user with these credentials; the error never says which part was wrong."""
    user = get_by_identifier(identifier)
    password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not password_ok or not user.is_active:
        raise AccountError(_("Wrong email, username or password."))
    return user


def record_login(user: User) -> None:
    """Note when the user last signed in."""
    user.last_login_at = utcnow()
    db.session.flush()


def verify_password(user: User, password: str) -> None:
    """Refuse a sensitive change unless the user's current password is given."""
    if not check_password_hash(user.password_hash, password):
        raise AccountError(_("That is not your current password."), field="current_password")


# Creating and changing accounts.


def create(
    *, email: str, username: str, password: str, admin: bool = False, confirmed: bool = False
) -> User:
    """Register a user with a hashed password (operators' accounts may start confirmed)."""
    user = register(email=email, username=username, password=password)
    if user is None:
        raise AccountError(_("That email is already registered."), field="email")
    user.role = Role.admin if admin else Role.member
    user.email_confirmed_at = utcnow() if confirmed else None
    db.session.flush()
    return user


def sign_up(*, email: str, username: str, password: str) -> Mail:
    """Sign a new member up; the mail to send is a confirmation link, or a note to the owner.

    When the email already has an account, its owner is told instead, and
    the sign-up looks the same from outside: the form tells nobody who is a
    member.
    """
    user = register(email=email, username=username, password=password)
    if user is None:
        return Mail("already_registered", to=normalize_email(email))
    return Mail("confirm_email", to=user.email, user=user)


def register(*, email: str, username: str, password: str) -> User | None:
    """Sign a new member up; None when the email already has an account.

    The caller answers both cases alike (and mails the address's owner), so
    the sign-up form does not tell who is a member. The password is hashed
    either way, so the two cases also take the same time.
    """
    email = normalize_email(email)
    username = check_username(username)
    check_password(password, email=email, username=username)
    if get_by_username(username):
        raise AccountError(_("That username is taken; choose another."), field="username")
    password_hash = hash_password(password)
    if get_by_email(email):
        return None
    user = User(email=email, username=username, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def change_username(user: User, username: str) -> None:
    """Rename the user, keeping usernames unique without regard to case."""
    username = check_username(username)
    other = get_by_username(username)
    if other is not None and other.id != user.id:
        raise AccountError(_("That username is taken; choose another."), field="username")
    if username != user.username:
        user.username = username
        revisions.bump()  # reviews on movie pages show it
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password (the current one is needed) and end the user's other sessions."""
    verify_password(user, current)
    set_password(user, new, keep_current_session=True)


def set_password(user: User, password: str, *, keep_current_session: bool = False) -> None:
    """Set a password and end every session signed in with the old one."""
    check_password(password, email=user.email, username=user.username)
    user.password_hash = hash_password(password)
    login_sessions.end_all(user, keep_current=keep_current_session)


def delete(user: User, *, password: str) -> None:
    """Delete the account and, with it, the user's reviews, watchlist and diary.

    The movies they reviewed get their figures recomputed in the same
    transaction, so no average keeps counting a review that is gone.
    """
    verify_password(user, password)
    reviewed = reviews.reviewed_movie_ids(user)
    db.session.delete(user)
    db.session.flush()
    reviews.refresh_movies(reviewed)


# Two-factor sign-in, from the account page (the password is needed for each).


def enable_two_factor(user: User, *, password: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once a first code proves the app has the key; new backup codes.

    Every other session ends, so one stolen before cannot skip the new step.
    """
    verify_password(user, password)
    secret = twofactor.pending_secret(user)
    if secret is None:
        raise twofactor.TwoFactorError(_("Start the set-up again from your account page."))
    codes = twofactor.enable(user, secret=secret, code=code)
    login_sessions.end_all(user, keep_current=True)
    return codes


def disable_two_factor(user: User, *, password: str, code: str) -> None:
    """Turn two-factor sign-in off, given the password and a code; other sessions end."""
    verify_password(user, password)
    twofactor.disable(user, code=code)
    login_sessions.end_all(user, keep_current=True)


def renew_backup_codes(user: User, *, password: str) -> list[str]:
    """Replace the backup codes, given the password; the new ones are only returned here."""
    verify_password(user, password)
    return twofactor.new_backup_codes(user)


def set_locale(user: User, locale: str | None) -> None:
    """Save the member's site language; None follows the browser again."""
    user.locale = locale
    db.session.flush()


CONFIRM_FIRST = _l(
    "Confirm your email first: follow the link we sent, or send it again from your account page."
)


def needs_confirmation(user: User) -> bool:
    """Whether the member must confirm their email before reviewing (REQUIRE_CONFIRMED_EMAIL)."""
    return bool(current_app.config["REQUIRE_CONFIRMED_EMAIL"]) and not user.email_confirmed


def review_count(user: User) -> int:
    """How many reviews deleting the account would remove."""
    return db.session.scalar(select(func.count()).where(Review.user_id == user.id)) or 0


# Links sent by mail.


def confirmation_token(user: User) -> str:
    """A link token confirming the user's current email."""
    return tokens.make(tokens.CONFIRM_EMAIL, {"id": user.id, "email": user.email})


def confirm_email(token: str) -> User:
    """Mark the email a token was sent to as confirmed; TokenError if it cannot be."""
    payload = tokens.read(
        tokens.CONFIRM_EMAIL, token, max_age=current_app.config["CONFIRM_TOKEN_MAX_AGE"]
    )
    user = _user_of(payload)
    if user.email != payload.get("email") or user.email_confirmed:
        raise tokens.TokenError(reason="used")
    user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def request_email_change(user: User, *, password: str, new_email: str) -> Mail:
    """The mail to send the new address: a link that moves the account there, or a notice.

    The notice goes when the address has an account already; both look alike
    from outside, so the form does not tell which addresses are registered.
    """
    verify_password(user, password)
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError(_("That is already your email address."), field="email")
    if get_by_email(new_email):
        return Mail("address_in_use", to=new_email)
    payload = {"id": user.id, "old": user.email, "new": new_email}
    token = tokens.make(tokens.CHANGE_EMAIL, payload)
    return Mail("change_email", to=new_email, user=user, token=token)


def pending_email_change(token: str) -> tuple[User, str]:
    """The user and new address of a change link that can still be used."""
    payload = tokens.read(
        tokens.CHANGE_EMAIL, token, max_age=current_app.config["CONFIRM_TOKEN_MAX_AGE"]
    )
    user = _user_of(payload)
    if user.email != payload.get("old"):
        raise tokens.TokenError(reason="used")
    return user, str(payload.get("new", ""))


def change_email(token: str) -> tuple[User, str]:
    """Switch to the address a change link was sent to, now confirmed; returns the old one."""
    user, new_email = pending_email_change(token)
    if get_by_email(new_email):
        raise AccountError(_("That email has been registered by another account meanwhile."))
    old_email = user.email
    user.email = new_email
    user.email_confirmed_at = utcnow()
    db.session.flush()
    return user, old_email


def reset_token(user: User) -> str:
    """A password reset link token, void once the password or the email changes."""
    fingerprint = tokens.password_fingerprint(user.password_hash)
    return tokens.make(
        tokens.RESET_PASSWORD, {"id": user.id, "pw": fingerprint, "email": user.email}
    )


def account_for_reset(email: str) -> User | None:
    """The active account a reset link may be mailed for, if the address has one."""
    user = get_by_email(email)
    return user if user is not None and user.is_active else None


def user_for_reset(token: str) -> User:
    """The user a reset token is for, while it is still usable."""
    payload = tokens.read(
        tokens.RESET_PASSWORD, token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"]
    )
    user = _user_of(payload)
    fingerprint = tokens.password_fingerprint(user.password_hash)
    if fingerprint != payload.get("pw") or user.email != payload.get("email"):
        raise tokens.TokenError(reason="used")
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; other sessions end."""
    user = user_for_reset(token)
    set_password(user, password)
    # Following the emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    return user


def _user_of(payload: dict) -> User:
    user_id = payload.get("id")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise tokens.TokenError(reason="invalid")
    return user

"""Accounts of the people who rate, review and keep watchlists."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..infra.db import db
from .mixins import TimestampMixin, utcnow
from .types import EncryptedString, UTCDateTime

if TYPE_CHECKING:
    from .diary import DiaryEntry
    from .review import Review
    from .watchlist import WatchlistEntry


class Role(enum.Enum):
    """What a member may do beyond their own ratings and lists, from least to most."""

    member = "member"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        """Position in member < editor < admin."""
        return list(Role).index(self)


class User(UserMixin, TimestampMixin, db.Model):
    """A registered member. Usernames are unique without regard to case."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    # casefold() of the username: the unique key, so "Ana" and "ana" collide.
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True), default=Role.member
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session and remember-me cookie: a new value (on a password
    # change or reset) ends every session signed with the old one.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: new_session_token())
    # The stem of the avatar's files under instance/media/avatars/, or None.
    avatar: Mapped[str | None] = mapped_column(String(64))
    # Set while two-factor sign-in is on; encrypted with the active data key.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step a code was accepted for: no code is accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The site language the member chose ("pt-BR"); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(16))

    reviews: Mapped[list[Review]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    watchlist: Mapped[list[WatchlistEntry]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    diary: Mapped[list[DiaryEntry]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    backup_codes: Mapped[list[BackupCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The sign-in this object was loaded for (not a column): set by
    # services.login_sessions when a browser signs in or is recognised.
    login_key = None
    login_session = None

    @validates("username")
    def _keep_username_key(self, _key: str, username: str) -> str:
        self.username_key = username.casefold()
        return username

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login refuses sessions for deactivated accounts."""
        return self.active

    @property
    def is_admin(self) -> bool:
        """Whether the member runs the site: roles, jobs, every editor's right."""
        return self.role is Role.admin

    @property
    def can_edit(self) -> bool:
        """Whether the member may edit the catalog (editors and admins)."""
        return self.role.rank >= Role.editor.rank

    @property
    def email_confirmed(self) -> bool:
        """Whether the user has followed a confirmation link for the current email."""
        return self.email_confirmed_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        """Whether signing in asks for a code after the password."""
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """The id in the session and remember-me cookies: row id, session token, sign-in key.

        Without a sign-in key (none started) the id is one the loader refuses.
        """
        if self.login_key is None:
            return f"{self.id}:{self.session_token}"
        return f"{self.id}:{self.session_token}:{self.login_key}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def new_session_token() -> str:
    """A fresh random session token."""
    return secrets.token_urlsafe(32)


class BackupCode(db.Model):
    """A single-use code that signs in when the authenticator is lost; only its hash is kept."""

    __tablename__ = "backup_codes"
    __table_args__ = (Index("ix_backup_codes_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="backup_codes")


class LoginSession(db.Model):
    """One browser's sign-in: logging out deletes it, so its cookies stop working.

    Only a hash of the key is kept: the database alone cannot make a cookie.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="login_sessions")

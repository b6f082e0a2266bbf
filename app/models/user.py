"""Accounts of the people who rate, review and keep watchlists."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..infra.db import db
from .mixins import TimestampMixin
from .types import EncryptedString, UTCDateTime

if TYPE_CHECKING:
    from .review import Review
    from .watchlist import WatchlistEntry


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
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set while two-factor sign-in is on; encrypted with the active data key.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)

    reviews: Mapped[list[Review]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    watchlist: Mapped[list[WatchlistEntry]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("username")
    def _keep_username_key(self, _key: str, username: str) -> str:
        self.username_key = username.casefold()
        return username

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login refuses sessions for deactivated accounts."""
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"

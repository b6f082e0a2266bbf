"""A counter that moves whenever what the public pages show has changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime


class Revision(db.Model):
    """One named counter; "catalog" covers movies, people, genres and reviews."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Revision {self.name} {self.number}>"

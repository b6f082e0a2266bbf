"""Runs of `flask seed sync` and `flask seed refresh`: windows done, counts, what failed."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import db
from .mixins import utcnow
from .types import UTCDateTime


class SyncKind(enum.Enum):
    """Which command ran."""

    sync = "sync"  # TMDB's change lists
    refresh = "refresh"  # records by age (refresh --stale)


class SyncStatus(enum.Enum):
    """How a run ended, or that it is still going."""

    running = "running"
    finished = "finished"
    failed = "failed"
    interrupted = "interrupted"  # killed; the next run goes on from `cursor`


class SyncRun(db.Model):
    """One sync or refresh run.

    `running_slot` is 1 while a run holds the catalog-wide lock and NULL after:
    a unique column, so a second run started meanwhile cannot insert its row.
    `cursor` is the last day whose change lists were fully applied; the next
    sync starts there.
    """

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_kind", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SyncKind] = mapped_column(
        Enum(SyncKind, native_enum=False, length=16, validate_strings=True)
    )
    status: Mapped[SyncStatus] = mapped_column(
        Enum(SyncStatus, native_enum=False, length=16, validate_strings=True),
        default=SyncStatus.running,
    )
    running_slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    cursor: Mapped[date | None] = mapped_column(Date)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # [{"kind": "movie", "tmdb_id": 1, "label": "…"}]: records TMDB no longer has, now hidden.
    hidden: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"kind": "movie", "tmdb_id": 1, "reason": "…"}], at most a few hundred kept.
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    @property
    def seconds(self) -> float:
        """How long it ran (so far)."""
        return max(0.0, ((self.finished_at or utcnow()) - self.started_at).total_seconds())

    def __repr__(self) -> str:
        return f"<SyncRun {self.id} {self.kind.value} {self.status.value}>"

"""Refreshing one movie or person from TMDB when an editor asks: a background job."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import jobs
from ..models import Job, Movie, Person, Role, User
from . import roles
from .errors import ServiceError

REFRESH_JOB = "seeder.jobs.refresh_record"
NO_TMDB_KEY = _l(
    "Refreshing from TMDB needs a TMDB key: an operator sets TMDB_API_KEY (or "
    "TMDB_READ_ACCESS_TOKEN), e.g. with `flask crypto set TMDB_API_KEY`, and restarts."
)


class RefreshError(ServiceError):
    """This page cannot be refreshed from TMDB now."""


def tmdb_configured() -> bool:
    """Whether a TMDB key or token is set."""
    config = current_app.config
    return bool(config.get("TMDB_API_KEY") or config.get("TMDB_READ_ACCESS_TOKEN"))


def subject_of(entity: Movie | Person) -> str:
    """The jobs' subject for this page: "movie:12" or "person:7"."""
    return f"{'movie' if isinstance(entity, Movie) else 'person'}:{entity.id}"


def request(*, entity: Movie | Person, editor: User) -> Job:
    """Queue a refetch of this movie (with its credits) or person; one at a time per page."""
    roles.require(editor, Role.editor)
    if not tmdb_configured():
        raise RefreshError(str(NO_TMDB_KEY))
    if entity.tmdb_id is None:
        raise RefreshError(
            _("This page was made here, not taken from TMDB: there is nothing to refetch.")
        )
    kind = "movie" if isinstance(entity, Movie) else "person"
    label = entity.title if isinstance(entity, Movie) else entity.name
    return jobs.enqueue(
        REFRESH_JOB,
        label=_("Refresh %(name)s from TMDB", name=label),
        arguments={"kind": kind, "entity_id": entity.id},
        user=editor,
        subject=subject_of(entity),
        unique=True,
    )


def latest(entity: Movie | Person) -> Job | None:
    """The page's newest refresh job, whatever its state."""
    return jobs.latest_for(subject_of(entity), name=REFRESH_JOB)

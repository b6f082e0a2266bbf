"""Editing the catalog: hand edits with a full history, field locks, reverts, merges, deletes.

`fields` names what may be edited and how values are kept; `history` records
and reads edits; `locks` is the rule loads follow; `catalog` saves an
editor's changes. Callers use the names re-exported here.
"""

from .catalog import (
    EditError,
    StaleEditError,
    accept_upstream,
    create_movie,
    create_person,
    current_values,
    keywords_named,
    lock_notes,
    locked_fields_report,
    unlock_field,
    update_genre,
    update_job,
    update_movie,
    update_person,
    version_of,
)
from .revert import revert, revert_to

__all__ = [
    "EditError",
    "StaleEditError",
    "accept_upstream",
    "create_movie",
    "create_person",
    "current_values",
    "keywords_named",
    "lock_notes",
    "locked_fields_report",
    "revert",
    "revert_to",
    "unlock_field",
    "update_genre",
    "update_job",
    "update_movie",
    "update_person",
    "version_of",
]

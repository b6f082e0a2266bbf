"""Finding an import's unmatched films on TMDB, fetching them into the catalog, matching again.

For each film left in a member's review queue: an IMDb id is looked up with
TMDB's /find; otherwise TMDB's search is asked for the title in its year.
Search matches loosely ("Heat" finds "The Heat"), so a result is taken only
when its title or original title is one of the row's title variants and its
year is the row's (or one off), and only when exactly one result is. The
films found are fetched through the usual fetch → process → load, then the
queued rows are matched again: those now certain are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Import
from app.services import imports
from app.services.imports.matching import title_variants
from app.services.search import normalize

from .sync import Refresher
from .tmdb import TMDBNotFoundError, TMDBUnavailableError


@dataclass
class Lookup:
    """What looking up an import's queued films did."""

    asked: int = 0
    found: list[int] = field(default_factory=list)  # TMDB ids
    added: int = 0
    saved: int = 0
    failed: int = 0

    def lines(self) -> list[str]:
        """The job's result, in sentences."""
        if not self.asked:
            return ["No film of this import was left to look for on TMDB."]
        found = len(self.found)
        lines = [
            f"Looked for {self.asked:,} film{'' if self.asked == 1 else 's'} on TMDB: "
            f"{found:,} found, {self.added:,} new to the catalog."
        ]
        if self.saved:
            lines.append(f"{self.saved:,} queued row{'' if self.saved == 1 else 's'} now saved.")
        if self.failed:
            lines.append(f"{self.failed:,} could not be asked (TMDB did not answer).")
        return lines


def look_up_queued(imported: Import, refresher: Refresher, *, limit: int, reporter=None) -> Lookup:
    """Look for the import's queued films on TMDB, load what is found, and match again."""
    reporter = reporter or refresher.reporter
    targets = imports.lookup_targets(imported, limit=limit)
    # End the read: on SQLite a job's open transaction holds the write lock, and
    # the searches below take a while.
    refresher.session.commit()
    lookup = Lookup(asked=len(targets))
    reporter.start(len(targets), f"Looking for {len(targets):,} films on TMDB")
    found: dict[int, None] = {}
    for target in targets:
        try:
            tmdb_id = _find(refresher, target)
        except (TMDBUnavailableError, TMDBNotFoundError):
            lookup.failed += 1
            tmdb_id = None
        if tmdb_id is not None:
            found[tmdb_id] = None
        reporter.advance(1)
    lookup.found = list(found)
    catalog_movies, _ = refresher.catalog_ids()
    new = [tmdb_id for tmdb_id in lookup.found if tmdb_id not in catalog_movies]
    if new:
        applied = refresher.apply(new, [])
        lookup.added = len(new) - len(applied.failed["movie"])
    lookup.saved = imports.rematch(imported)
    refresher.session.commit()
    return lookup


def _find(refresher: Refresher, target: imports.LookupTarget) -> int | None:
    """The one TMDB movie the target is, or None when none or several could be."""
    client = refresher.client
    if target.imdb_id:
        results = client.find_by_imdb_id(target.imdb_id)
        return results[0]["id"] if len(results) == 1 else None
    wanted = set(title_variants(target.title))
    if target.original_title:
        wanted |= set(title_variants(target.original_title))
    results = client.search_movies(target.title, year=target.year)
    if target.year and not results:
        # TMDB's year is the film's first release anywhere; the export's may be a year off.
        results = client.search_movies(target.title)
    fitting = {
        result["id"]
        for result in results
        if isinstance(result.get("id"), int)
        and _year_fits(target.year, result.get("release_date"))
        and {normalize(result.get("title") or ""), normalize(result.get("original_title") or "")}
        & wanted
    }
    return fitting.pop() if len(fitting) == 1 else None


def _year_fits(wanted: int | None, release_date: str | None) -> bool:
    if wanted is None or not release_date or len(release_date) < 4:
        return False
    return release_date[:4].isdigit() and abs(int(release_date[:4]) - wanted) <= 1

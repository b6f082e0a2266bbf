"""Load stage: processed JSON Lines → database, in batches, as upserts keyed by TMDB id.

Each batch is one transaction, so a crash loses at most the batch in flight
and a rerun converges on the same database. Rows are compared before writing:
a rerun on the same files writes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Result, Select, Table, delete, insert, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.infra.db import is_sqlite
from app.infra.progress import Progress
from app.models import (
    Credit,
    CreditKind,
    EntityType,
    FieldLock,
    Gender,
    Genre,
    Keyword,
    Movie,
    Person,
    SearchEntry,
    Tombstone,
    movie_genres,
    movie_keywords,
)
from app.models.mixins import utcnow
from app.models.slugs import slugify
from app.services import revisions, search
from app.services.edits import locks
from app.services.edits.fields import dump, links

from .storage import count_lines, read_json_lines

LOADED_TABLES = [
    model if isinstance(model, Table) else model.__table__
    for model in (Genre, Person, Movie, movie_genres, Keyword, movie_keywords, Credit, SearchEntry)
]

MOVIE_FIELDS = (
    "imdb_id",
    "title",
    "original_title",
    "original_language",
    "tagline",
    "overview",
    "release_date",
    "runtime",
    "budget",
    "revenue",
    "status",
    "certification",
    "popularity",
    "vote_average",
    "vote_count",
    "poster_path",
    "backdrop_path",
    "homepage",
    "trailer_key",
    "alternative_titles",
    "translations",
)
PERSON_FIELDS = (
    "imdb_id",
    "name",
    "biography",
    "birthday",
    "deathday",
    "place_of_birth",
    "gender",
    "known_for_department",
    "popularity",
    "profile_path",
    "translations",
)
# About 100 bytes an entry: a bound on the load's memory, whatever the catalog size.
PERSON_CACHE_LIMIT = 1_000_000
CREDIT_FIELDS = ("movie_id", "person_id", "kind", "character", "cast_order", "department", "job")


@dataclass
class EntityCount:
    """Rows inserted, updated, unchanged (and deleted or skipped) for one entity."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    left_out: int = 0  # merged into another page or deleted here by an editor

    def line(self, name: str) -> str:
        """'movies: 3 inserted, 1 updated, 0 unchanged'."""
        text = (
            f"{name}: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.deleted:
            text += f", {self.deleted} deleted"
        if self.skipped:
            text += f", {self.skipped} skipped (movie or person missing)"
        if self.left_out:
            text += f", {self.left_out} left out (merged or deleted here)"
        return text


@dataclass
class LoadSummary:
    """Counts per entity."""

    genres: EntityCount = field(default_factory=EntityCount)
    people: EntityCount = field(default_factory=EntityCount)
    movies: EntityCount = field(default_factory=EntityCount)
    credits: EntityCount = field(default_factory=EntityCount)
    # TMDB ids of movies whose row, genres, keywords or credits changed.
    changed_movies: set[int] = field(default_factory=set)

    def lines(self) -> list[str]:
        """One line per entity."""
        return [
            self.genres.line("genres"),
            self.people.line("people"),
            self.movies.line("movies"),
            self.credits.line("credits"),
        ]


@dataclass
class Upserted:
    """What one batch's upsert did: TMDB ids inserted and updated, and the batch's field locks."""

    inserted: set[int]
    updated: set[int]
    locks: dict[int, dict[str, FieldLock]]  # by local id, then field


class Loader:
    """Upserts processed files into the database, committing once per batch.

    Fields an editor changed by hand are locked (services.edits.locks): the
    loader keeps TMDB's value beside the lock and leaves the field alone.
    """

    def __init__(
        self,
        session: Session,
        *,
        batch_size: int = 1000,
        stream: TextIO | None = None,
        incremental: bool = False,
    ) -> None:
        self.session = session
        # A sync's few changed records: the bulk load's index upkeep would cost more than them.
        self.incremental = incremental
        self.batch_size = max(1, batch_size)
        self.stream = stream
        self._genre_ids: dict[int, int] = {}
        self._genre_names: dict[int, str] = {}
        self._new_movie_ids: set[int] = set()
        self._person_cache: dict[int, int] = {}
        self._loaded_movies: set[int] = set()  # TMDB ids this run loaded
        self._changed_movies: set[int] = set()  # TMDB ids of existing movies that changed

    def run(self, processed: Path) -> LoadSummary:
        """Load genres, people, movies and credits from a processed folder."""
        missing = [
            name
            for name in ("genres", "people", "movies", "credits")
            if not (processed / f"{name}.jsonl").exists()
        ]
        if missing:
            raise FileNotFoundError(
                f"{processed} has no {', '.join(f'{name}.jsonl' for name in missing)}: "
                "run `flask seed process` first."
            )
        summary = LoadSummary()
        self._load_genres(read_json_lines(processed / "genres.jsonl"), summary.genres)
        self._stage(
            "people", processed, self._load_people_batch, summary.people, self.batch_size * 5
        )
        self._stage("movies", processed, self._load_movies_batch, summary.movies, self.batch_size)
        self._load_credits(processed, summary.credits)
        summary.changed_movies = self._changed_movies
        if self.incremental:
            self._commit()
            return summary
        search.optimize()
        if is_sqlite(self.session):
            # Fresh statistics after a bulk load, so the planner picks the right indexes.
            self.session.execute(text("PRAGMA optimize"))
        self._commit()
        if not is_sqlite(self.session):
            self._vacuum_analyze()
        return summary

    def _vacuum_analyze(self) -> None:
        """PostgreSQL: fresh statistics and visibility maps for the loaded tables.

        ANALYZE alone leaves the visibility map unset, so the lists' index-only
        scans still read every row (the last list page: 56 ms instead of 10),
        and new search words wait in the GIN index's pending list. TRUNCATE
        false: giving back empty pages at a table's end needs a lock that any
        open reader blocks, and VACUUM would wait 5 s per table for it.
        """
        engine = self.session.get_bind().engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in LOADED_TABLES:
                connection.execute(text(f"VACUUM (ANALYZE, TRUNCATE false) {table.name}"))

    def _commit(self) -> None:
        """Commit a batch; pages and cached fragments showing the catalog go stale with it."""
        revisions.bump(self.session)
        self.session.commit()

    def _insert_plain(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows whose values the driver takes as they are (text, numbers, None).

        Credits are most of a catalog's rows, and SQLAlchemy's per-row type
        processing costs more than the insert itself; this goes straight to
        the driver's executemany.
        """
        connection = self.session.connection()
        names = list(rows[0])
        quote = connection.dialect.identifier_preparer.quote
        style = connection.dialect.paramstyle
        if style == "qmark":
            marks = ", ".join("?" for _ in names)
            parameters: list[Any] = [tuple(row[name] for name in names) for row in rows]
        elif style == "pyformat":
            marks = ", ".join(f"%({name})s" for name in names)
            parameters = rows
        else:
            self.session.execute(insert(table), rows)
            return
        columns = ", ".join(quote(name) for name in names)
        statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
        connection.exec_driver_sql(statement, parameters)

    def _rows(self, statement: Select[Any]) -> Result[Any]:
        """Run a column-only select on the connection, skipping the ORM's per-row work."""
        return self.session.connection().execute(statement)

    def _stage(self, name, processed, load_batch, count, size) -> None:
        path = processed / f"{name}.jsonl"
        progress = Progress(f"load {name}", count_lines(path), stream=self.stream)
        for batch in _batches(read_json_lines(path), size):
            load_batch(batch, count)
            self._commit()
            progress.advance(len(batch))
        progress.finish()

    def _load_genres(self, records: Iterable[dict[str, Any]], count: EntityCount) -> None:
        genres = list(self.session.scalars(select(Genre)))
        by_tmdb = {genre.tmdb_id: genre for genre in genres if genre.tmdb_id is not None}
        by_name = {genre.name.casefold(): genre for genre in genres}
        held = locks.for_load(self.session, EntityType.genre, [genre.id for genre in genres])
        records = list(records)
        gone = self._tombstones(EntityType.genre, [record["tmdb_id"] for record in records])
        count.left_out += len(gone)
        for record in records:
            if record["tmdb_id"] in gone:
                continue
            genre = by_tmdb.get(record["tmdb_id"]) or by_name.get(record["name"].casefold())
            name_lock = held.get(genre.id, {}).get("name") if genre is not None else None
            if name_lock is not None:
                locks.hold_upstream(name_lock, record["name"])
                record = {**record, "name": genre.name}
            translations = _genre_translations(genre, record.get("translations") or {})
            if genre is None:
                genre = Genre(
                    tmdb_id=record["tmdb_id"],
                    name=record["name"],
                    slug=slugify(record["name"]),
                    translations=translations,
                )
                self.session.add(genre)
                count.inserted += 1
            elif (genre.tmdb_id, genre.name, genre.translations) != (
                record["tmdb_id"],
                record["name"],
                translations,
            ):
                genre.tmdb_id, genre.name, genre.slug = (
                    record["tmdb_id"],
                    record["name"],
                    slugify(record["name"]),
                )
                genre.translations = translations
                count.updated += 1
            else:
                count.unchanged += 1
            by_name[genre.name.casefold()] = by_tmdb[genre.tmdb_id] = genre
        self._commit()
        rows = self._rows(
            select(Genre.tmdb_id, Genre.id, Genre.name).where(Genre.tmdb_id.is_not(None))
        ).all()
        self._genre_ids = {row.tmdb_id: row.id for row in rows}
        self._genre_names = {row.id: row.name for row in rows}

    def _load_people_batch(self, records: list[dict[str, Any]], count: EntityCount) -> None:
        records = self._without_tombstoned(EntityType.person, records, count)
        rows = {record["tmdb_id"]: _person_row(record) for record in records}
        done = self._upsert(Person, rows, PERSON_FIELDS, count)
        count.unchanged += len(rows) - len(done.inserted) - len(done.updated)
        if done.inserted or done.updated:
            search.index_people(self._ids_by_tmdb(Person, done.inserted | done.updated).values())

    def _load_movies_batch(self, records: list[dict[str, Any]], count: EntityCount) -> None:
        records = self._without_tombstoned(EntityType.movie, records, count)
        if not records:
            return
        rows = {record["tmdb_id"]: _movie_row(record) for record in records}
        done = self._upsert(Movie, rows, MOVIE_FIELDS, count)
        self._loaded_movies.update(rows)
        changed = done.inserted | done.updated
        ids = self._ids_by_tmdb(Movie, rows)
        self._new_movie_ids.update(ids[tmdb_id] for tmdb_id in done.inserted)
        if changed:
            search.index_movies(ids[tmdb_id] for tmdb_id in changed)
        genre_links = {
            (ids[record["tmdb_id"]], self._genre_ids[genre_id])
            for record in records
            for genre_id in record.get("genre_ids", [])
            if genre_id in self._genre_ids
        }
        keyword_ids = self._keyword_ids(records)
        keyword_links = {
            (ids[record["tmdb_id"]], keyword_ids[keyword["tmdb_id"]])
            for record in records
            for keyword in record.get("keywords", [])
            if isinstance(keyword, dict) and keyword.get("tmdb_id") in keyword_ids
        }
        genre_links = self._hold_locked_links(done.locks, "genres", genre_links, self._genre_names)
        keyword_names = {
            keyword_ids[keyword["tmdb_id"]]: keyword["name"]
            for record in records
            for keyword in record.get("keywords", [])
            if isinstance(keyword, dict) and keyword.get("tmdb_id") in keyword_ids
        }
        keyword_links = self._hold_locked_links(
            done.locks, "keywords", keyword_links, keyword_names
        )
        relinked_ids = self._sync_links(
            movie_genres, "genre_id", _unlocked(ids.values(), done.locks, "genres"), genre_links
        )
        relinked_ids |= self._sync_links(
            movie_keywords,
            "keyword_id",
            _unlocked(ids.values(), done.locks, "keywords"),
            keyword_links,
        )
        tmdb_by_id = {local: tmdb for tmdb, local in ids.items()}
        relinked = {tmdb_by_id[movie_id] for movie_id in relinked_ids} - changed
        self._changed_movies.update(done.updated | relinked)
        count.updated += len(relinked)
        count.unchanged += len(rows) - len(changed) - len(relinked)

    def _tombstones(
        self, entity_type: EntityType, tmdb_ids: Iterable[int]
    ) -> dict[int, int | None]:
        """TMDB ids merged away or deleted by an editor, with the page they went into (or None)."""
        ids = list(tmdb_ids)
        found: dict[int, int | None] = {}
        for chunk in _chunks(ids, 5000):
            found.update(
                self._rows(
                    select(Tombstone.tmdb_id, Tombstone.new_id).where(
                        Tombstone.entity_type == entity_type, Tombstone.tmdb_id.in_(chunk)
                    )
                ).all()
            )
        return found

    def _without_tombstoned(
        self, entity_type: EntityType, records: list[dict[str, Any]], count: EntityCount
    ) -> list[dict[str, Any]]:
        gone = self._tombstones(entity_type, [record["tmdb_id"] for record in records])
        count.left_out += sum(1 for record in records if record["tmdb_id"] in gone)
        return [record for record in records if record["tmdb_id"] not in gone]

    def _hold_locked_links(
        self,
        held: dict[int, dict[str, FieldLock]],
        field: str,
        wanted: set[tuple[int, int]],
        names: dict[int, str],
    ) -> set[tuple[int, int]]:
        """Links of movies whose `field` is locked go to the lock as upstream's, not the table."""
        locked = {movie_id for movie_id, fields in held.items() if field in fields}
        if not locked:
            return wanted
        upstream: dict[int, list[dict[str, Any]]] = {movie_id: [] for movie_id in locked}
        for movie_id, linked in wanted:
            if movie_id in locked:
                upstream[movie_id].append({"id": linked, "name": names.get(linked, "")})
        for movie_id, items in upstream.items():
            locks.hold_upstream(held[movie_id][field], links(items))
        return {(movie_id, linked) for movie_id, linked in wanted if movie_id not in locked}

    def _sync_links(
        self, table: Table, other: str, movie_ids: Iterable[int], wanted: set[tuple[int, int]]
    ) -> set[int]:
        """Make a movie link table hold exactly `wanted` for these movies; return movies changed."""
        current = {
            (row.movie_id, getattr(row, other))
            for row in self._rows(
                select(table.c.movie_id, table.c[other]).where(
                    table.c.movie_id.in_(list(movie_ids))
                )
            )
        }
        if wanted - current:
            self.session.execute(
                insert(table),
                [{"movie_id": movie, other: linked} for movie, linked in sorted(wanted - current)],
            )
        if current - wanted:
            self.session.execute(
                delete(table).where(
                    tuple_(table.c.movie_id, table.c[other]).in_(sorted(current - wanted))
                )
            )
        return {movie for movie, _ in wanted ^ current}

    def _keyword_ids(self, records: list[dict[str, Any]]) -> dict[int, int]:
        """Local ids of the batch's keywords by TMDB id, adding new keywords."""
        names = {
            keyword["tmdb_id"]: keyword["name"]
            for record in records
            for keyword in record.get("keywords", [])
            if isinstance(keyword, dict) and isinstance(keyword.get("tmdb_id"), int)
        }
        if not names:
            return {}
        known = self._ids_by_tmdb(Keyword, names)
        new = [{"tmdb_id": key, "name": name} for key, name in names.items() if key not in known]
        if new:
            self.session.execute(insert(Keyword.__table__), new)
            known = self._ids_by_tmdb(Keyword, names)
        return known

    def _upsert(
        self,
        model: type[Movie] | type[Person],
        rows: dict[int, dict[str, Any]],
        fields: tuple[str, ...],
        count: EntityCount,
    ) -> Upserted:
        """Insert new rows and update changed ones, leaving locked fields as they are."""
        columns = [getattr(model, name) for name in fields]
        existing = {
            row.tmdb_id: row
            for row in self._rows(
                select(model.id, model.tmdb_id, model.fetched_at, *columns).where(
                    model.tmdb_id.in_(rows)
                )
            )
        }
        entity_type = EntityType.movie if model is Movie else EntityType.person
        held = locks.for_load(self.session, entity_type, [row.id for row in existing.values()])
        for tmdb_id, current in existing.items():
            for name, lock in held.get(current.id, {}).items():
                if name in rows[tmdb_id]:
                    locks.hold_upstream(lock, dump(rows[tmdb_id][name]))
                    rows[tmdb_id][name] = getattr(current, name)
        inserts, updates, refetched = [], [], []
        for tmdb_id, row in rows.items():
            current = existing.get(tmdb_id)
            if current is None:
                inserts.append(row)
            elif any(getattr(current, name) != row[name] for name in fields):
                changed = {**row, "id": current.id, "updated_at": utcnow()}
                if changed["fetched_at"] is None:  # a row built from a credit: never fetched
                    del changed["fetched_at"]
                updates.append(changed)
            elif _newer(row["fetched_at"], current.fetched_at):
                # The same content fetched again: worth knowing (refresh goes by it), not a change.
                refetched.append({"id": current.id, "fetched_at": row["fetched_at"]})
        if inserts:
            # Core, not ORM, bulk insert: the ORM splits rows whose None fields
            # differ into separate statements, which is many times slower here.
            self.session.execute(insert(model.__table__), inserts)
        if updates:
            self.session.execute(update(model), updates)
        if refetched:
            self.session.execute(update(model), refetched)
        count.inserted += len(inserts)
        count.updated += len(updates)
        return Upserted(
            inserted={row["tmdb_id"] for row in inserts},
            updated={row["tmdb_id"] for row in updates},
            locks=held,
        )

    def _ids_by_tmdb(self, model, tmdb_ids: Iterable[int]) -> dict[int, int]:
        return dict(
            self._rows(
                select(model.tmdb_id, model.id).where(model.tmdb_id.in_(list(tmdb_ids)))
            ).all()
        )

    def _load_credits(self, processed: Path, count: EntityCount) -> None:
        path = processed / "credits.jsonl"
        progress = Progress("load credits", count_lines(path), stream=self.stream)
        credited: set[int] = set()
        for batch in _movie_batches(read_json_lines(path), self.batch_size * 5):
            self._load_credits_batch(batch, count)
            self._commit()
            credited.update(record["movie_tmdb_id"] for record in batch)
            progress.advance(len(batch))
        progress.finish()
        self._clear_credits_of_uncredited(credited, count)

    def _clear_credits_of_uncredited(self, credited: set[int], count: EntityCount) -> None:
        """Movies this run loaded that now have no credits at all lose their TMDB credits.

        A movie whose credits an editor locked keeps them; upstream's empty list is noted.
        """
        for chunk in _chunks(sorted(self._loaded_movies - credited), 5000):
            movie_ids = list(self._ids_by_tmdb(Movie, chunk).values())
            held = locks.for_load(self.session, EntityType.movie, movie_ids)
            for fields in held.values():
                if "credits" in fields:
                    locks.hold_upstream(fields["credits"], [])
            movie_ids = _unlocked(movie_ids, held, "credits")
            result = self.session.execute(
                delete(Credit)
                .where(Credit.movie_id.in_(movie_ids), Credit.tmdb_credit_id.is_not(None))
                .returning(Credit.movie_id)
            )
            deleted = [row.movie_id for row in result]
            emptied = set(deleted)
            self._changed_movies.update(
                tmdb for tmdb, local in self._ids_by_tmdb(Movie, chunk).items() if local in emptied
            )
            count.deleted += len(deleted)
            self._commit()

    def _load_credits_batch(self, records: list[dict[str, Any]], count: EntityCount) -> None:
        movie_ids = self._ids_by_tmdb(Movie, {record["movie_tmdb_id"] for record in records})
        records = self._hold_locked_credits(records, movie_ids)
        movie_ids = {
            record["movie_tmdb_id"]: movie_ids[record["movie_tmdb_id"]]
            for record in records
            if record["movie_tmdb_id"] in movie_ids
        }
        person_ids = self._person_ids({record["person_tmdb_id"] for record in records})
        rows: dict[str, dict[str, Any]] = {}
        for record in records:
            movie_id = movie_ids.get(record["movie_tmdb_id"])
            person_id = person_ids.get(record["person_tmdb_id"])
            if movie_id is None or person_id is None:
                count.skipped += 1
                continue
            rows[record["credit_id"]] = {
                "tmdb_credit_id": record["credit_id"],
                "movie_id": movie_id,
                "person_id": person_id,
                "kind": record["kind"],
                "character": record.get("character"),
                "cast_order": record.get("order"),
                "department": record.get("department"),
                "job": record.get("job"),
            }
        try:
            with self.session.begin_nested():
                touched = self._write_credits(rows, set(movie_ids.values()), count, careful=False)
        except IntegrityError:
            # A credit id already on another movie: look everything up this time.
            touched = self._write_credits(rows, set(movie_ids.values()), count, careful=True)
        tmdb_by_id = {local: tmdb for tmdb, local in movie_ids.items()}
        self._changed_movies.update(
            tmdb_by_id[movie_id] for movie_id in touched if movie_id in tmdb_by_id
        )

    def _hold_locked_credits(
        self, records: list[dict[str, Any]], movie_ids: dict[int, int]
    ) -> list[dict[str, Any]]:
        """The batch's records without those of movies whose credits are locked.

        Their credits go to the lock as upstream's list, in TMDB's order.
        """
        held = locks.for_load(self.session, EntityType.movie, movie_ids.values())
        locked = {
            tmdb_id
            for tmdb_id, movie_id in movie_ids.items()
            if "credits" in held.get(movie_id, {})
        }
        if not locked:
            return records
        held_records = [record for record in records if record["movie_tmdb_id"] in locked]
        person_tmdb_ids = sorted({record["person_tmdb_id"] for record in held_records})
        names = dict(
            self._rows(
                select(Person.tmdb_id, Person.name).where(Person.tmdb_id.in_(person_tmdb_ids))
            ).all()
        )
        upstream: dict[int, list[dict[str, Any]]] = {tmdb_id: [] for tmdb_id in locked}
        for record in held_records:
            upstream[record["movie_tmdb_id"]].append(
                upstream_credit(record, names.get(record["person_tmdb_id"], ""))
            )
        for tmdb_id, credits in upstream.items():
            locks.hold_upstream(held[movie_ids[tmdb_id]]["credits"], credits)
        return [record for record in records if record["movie_tmdb_id"] not in locked]

    def _write_credits(
        self,
        rows: dict[str, dict[str, Any]],
        movie_ids: set[int],
        count: EntityCount,
        *,
        careful: bool,
    ) -> set[int]:
        """Insert, update and delete one batch's credits; return the movies whose credits changed.

        Movies first loaded by this run have no credits yet, so unless `careful`
        only the other movies' credits are read back.
        """
        columns = [
            Credit.id,
            Credit.tmdb_credit_id,
            *(getattr(Credit, name) for name in CREDIT_FIELDS),
        ]
        known_movies = movie_ids if careful else movie_ids - self._new_movie_ids
        existing = {
            row.tmdb_credit_id: row
            for chunk in _chunks(sorted(known_movies), 5000)
            for row in self._rows(select(*columns).where(Credit.movie_id.in_(chunk)))
        }
        elsewhere = [
            credit_id
            for credit_id, row in rows.items()
            if credit_id not in existing and (careful or row["movie_id"] in known_movies)
        ]
        for chunk in _chunks(elsewhere, 5000):
            for row in self._rows(select(*columns).where(Credit.tmdb_credit_id.in_(chunk))):
                existing[row.tmdb_credit_id] = row
        inserts, updates, unchanged = [], [], 0
        for credit_id, row in rows.items():
            current = existing.get(credit_id)
            if current is None:
                inserts.append(row)
            elif any(_stored(getattr(current, name)) != row[name] for name in CREDIT_FIELDS):
                updates.append({**row, "id": current.id, "kind": CreditKind(row["kind"])})
            else:
                unchanged += 1
        stale = [
            row.id
            for credit_id, row in existing.items()
            if credit_id is not None and credit_id not in rows and row.movie_id in movie_ids
        ]
        for chunk in _chunks(stale, 5000):
            self.session.execute(delete(Credit).where(Credit.id.in_(chunk)))
        if updates:
            self.session.execute(update(Credit), updates)
        if inserts:
            self._insert_plain(Credit.__table__, inserts)
        count.inserted += len(inserts)
        count.updated += len(updates)
        count.unchanged += unchanged
        count.deleted += len(stale)
        touched = {row["movie_id"] for row in inserts + updates}
        gone = set(stale)
        touched.update(row.movie_id for row in existing.values() if row.id in gone)
        return touched - self._new_movie_ids

    def _person_ids(self, tmdb_ids: set[int]) -> dict[int, int]:
        """Local ids of people by TMDB id, remembered across batches (people never move)."""
        missing = tmdb_ids - self._person_cache.keys()
        if missing:
            if len(self._person_cache) > PERSON_CACHE_LIMIT:
                self._person_cache.clear()
            for chunk in _chunks(sorted(missing), 5000):
                self._person_cache.update(self._ids_by_tmdb(Person, chunk))
            merged = self._tombstones(EntityType.person, missing - self._person_cache.keys())
            # A merged person's TMDB credits go to the person they were merged into.
            self._person_cache.update(
                {tmdb_id: new_id for tmdb_id, new_id in merged.items() if new_id is not None}
            )
        return {
            tmdb_id: self._person_cache[tmdb_id]
            for tmdb_id in tmdb_ids
            if tmdb_id in self._person_cache
        }


def upstream_credit(record: dict[str, Any], person_name: str) -> dict[str, Any]:
    """A processed credit as a locked credit list keeps it: the person by TMDB id and name."""
    return {
        "credit_id": record["credit_id"],
        "person_tmdb_id": record["person_tmdb_id"],
        "person_name": person_name,
        "kind": record["kind"],
        "character": record.get("character"),
        "order": record.get("order"),
        "department": record.get("department"),
        "job": record.get("job"),
    }


def _unlocked(
    entity_ids: Iterable[int], held: dict[int, dict[str, FieldLock]], field: str
) -> list[int]:
    """The ids whose `field` is not locked."""
    return [entity_id for entity_id in entity_ids if field not in held.get(entity_id, {})]


def _newer(fetched: datetime | None, stored: datetime | None) -> bool:
    if fetched is None:
        return False
    return stored is None or fetched > stored.replace(tzinfo=stored.tzinfo or UTC)


def _fetched_at(record: dict[str, Any]) -> datetime | None:
    value = record.get("fetched_at")
    return datetime.fromisoformat(value) if value else None


def _movie_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {name: record.get(name) for name in MOVIE_FIELDS}
    row["tmdb_id"] = record["tmdb_id"]
    row["fetched_at"] = _fetched_at(record)
    row["release_date"] = _day(record.get("release_date"))
    row["popularity"] = float(record.get("popularity") or 0.0)
    row["vote_average"] = float(record.get("vote_average") or 0.0)
    row["vote_count"] = int(record.get("vote_count") or 0)
    row["alternative_titles"] = list(record.get("alternative_titles") or [])
    row["translations"] = dict(record.get("translations") or {})
    return row


def _person_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {name: record.get(name) for name in PERSON_FIELDS}
    row["tmdb_id"] = record["tmdb_id"]
    row["fetched_at"] = _fetched_at(record)
    row["birthday"] = _day(record.get("birthday"))
    row["deathday"] = _day(record.get("deathday"))
    row["gender"] = Gender(record.get("gender") or 0)
    row["popularity"] = float(record.get("popularity") or 0.0)
    row["translations"] = dict(record.get("translations") or {})
    return row


def _genre_translations(genre: Genre | None, listed: dict[str, dict]) -> dict[str, dict]:
    """The genre's names in other languages after this load: the languages whose lists
    were processed replace theirs ({} drops one), the others keep what the genre has."""
    kept = dict(genre.translations or {}) if genre is not None else {}
    for language, texts in listed.items():
        if texts:
            kept[language] = texts
        else:
            kept.pop(language, None)
    return kept


def _stored(value: Any) -> Any:
    """A value read back, in the form the processed records use (enums by name)."""
    return value.name if isinstance(value, enum.Enum) else value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(records, size)):
        yield batch


def _movie_batches(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of about `size` credits that never split one movie's credits."""
    batch: list[dict[str, Any]] = []
    for record in records:
        if len(batch) >= size and record["movie_tmdb_id"] != batch[-1]["movie_tmdb_id"]:
            yield batch
            batch = []
        batch.append(record)
    if batch:
        yield batch


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

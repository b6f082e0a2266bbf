"""Writing matched rows into a member's library: ratings, reviews, diary, watchlist, seen, lists.

Every write is idempotent (a row Marquee already has is "unchanged"), and no
row overwrites what the member changed in Marquee after the export was made
("kept"). A batch reads what the member already has for its films in a few
queries and writes in bulk, so an import runs at hundreds of rows a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from ...infra.db import db
from ...models import (
    DiaryEntry,
    Import,
    ImportRow,
    MovieList,
    MovieListEntry,
    Review,
    RowKind,
    RowStatus,
    SeenMovie,
    User,
    WatchlistEntry,
)
from ...models.mixins import utcnow
from .. import reviews
from ..numbers import format_decimal

# Ratings first, so a review, a like or a diary row finds the film's rating.
KIND_ORDER = [
    RowKind.rating,
    RowKind.review,
    RowKind.like,
    RowKind.diary,
    RowKind.seen,
    RowKind.watchlist,
    RowKind.list_entry,
]


# What a member can take back here; an earlier import's row is not written again.
REMOVABLE = (RowKind.rating, RowKind.seen, RowKind.watchlist)


def day_start(day: date) -> datetime:
    """Midnight UTC of a day: when an imported row is taken to have happened."""
    return datetime.combine(day, time(), tzinfo=UTC)


def row_day(row: ImportRow, name: str = "date") -> date | None:
    """A day the row carries ("date", "watched_on"), if any."""
    value = row.data.get(name)
    return date.fromisoformat(value) if value else None


class LibraryWriter:
    """Writes one member's matched rows; keeps count of diary rows across batches."""

    def __init__(self, user: User, *, exported_at: datetime, import_id: int) -> None:
        self.user = user
        self.exported_at = exported_at
        self.import_id = import_id
        # (movie, day) → diary rows of this import written or found so far, so a
        # second viewing on one day adds a second entry, and a rerun adds none.
        self._claimed: Counter[tuple[int, date]] = Counter()
        self._touched: set[int] = set()
        # Rows to insert, by model, written in one statement each at the end of a batch.
        self._new: dict[type, list[dict]] = {}

    def claim_earlier(self, rows: Iterable[ImportRow]) -> None:
        """Count diary rows an earlier run of this import already wrote or found."""
        for row in rows:
            day = row_day(row, "watched_on")
            if row.movie_id is not None and day is not None:
                self._claimed[(row.movie_id, day)] += 1

    def write(self, rows: list[ImportRow]) -> None:
        """Write each row (its movie_id set) and set its status and message."""
        if not rows:
            return
        movie_ids = {row.movie_id for row in rows if row.movie_id is not None}
        library = _Library.load(self.user, movie_ids, self.exported_at, self.import_id)
        for row in sorted(rows, key=lambda row: (KIND_ORDER.index(row.kind), row.id or 0)):
            getattr(self, f"_{row.kind.value}")(row, library)
        db.session.flush()
        for model, values in self._new.items():
            # Core, not ORM: one executemany, without building an object per entry.
            db.session.execute(insert(model.__table__), values)
        self._new.clear()

    def finish(self) -> None:
        """Bring the rated films' counts and averages up to date."""
        if self._touched:
            reviews.refresh_movies(sorted(self._touched))
            self._touched.clear()

    def _rating(self, row: ImportRow, library: _Library) -> None:
        rating = row.data["rating"]
        review = library.reviews.get(row.movie_id)
        if review is None and (RowKind.rating, row.movie_id) in library.imported_before:
            _done(row, RowStatus.kept, _("An earlier import rated it, and you deleted that here."))
        elif review is None:
            when = _when(row, default=utcnow())
            review = Review(
                user_id=self.user.id, movie_id=row.movie_id, rating=rating, created_at=when
            )
            review.updated_at = when
            db.session.add(review)
            library.reviews[row.movie_id] = review
            self._touched.add(row.movie_id)
            _done(row, RowStatus.saved, _("Rated %(rating)s/10.", rating=rating))
        elif review.rating == rating:
            _done(row, RowStatus.unchanged, _("Already rated %(rating)s/10.", rating=rating))
        elif self._changed_since_export(review):
            _done(
                row,
                RowStatus.kept,
                _("You rated it %(rating)s/10 here since the export.", rating=review.rating),
            )
        else:
            _done(
                row,
                RowStatus.saved,
                _(
                    "Rating changed from %(old)s to %(new)s/10.",
                    old=review.rating,
                    new=rating,
                ),
            )
            review.rating = rating
            _dated(review, row)
            self._touched.add(row.movie_id)

    def _review(self, row: ImportRow, library: _Library) -> None:
        text = row.data["text"]
        if len(text) > reviews.MAX_BODY_LENGTH:
            _done(
                row,
                RowStatus.failed,
                _(
                    "The review has %(length)s characters: Marquee keeps reviews of up to "
                    "%(limit)s.",
                    length=format_decimal(len(text)),
                    limit=format_decimal(reviews.MAX_BODY_LENGTH),
                ),
            )
            return
        rating = row.data.get("rating")
        spoilers = bool(row.data.get("spoilers"))
        review = library.reviews.get(row.movie_id)
        if review is None:
            if rating is None:
                _done(
                    row,
                    RowStatus.failed,
                    _(
                        "Marquee's reviews come with a rating, and this one has none: "
                        "rate the film here and paste the review in."
                    ),
                )
                return
            self._rating(row, library)
            review = library.reviews[row.movie_id]
            if row.status is RowStatus.kept:
                return
            review = library.reviews[row.movie_id]
        elif review.body == text and review.contains_spoilers == spoilers:
            _done(row, RowStatus.unchanged, _("Already reviewed."))
            return
        elif self._changed_since_export(review):
            _done(row, RowStatus.kept, _("You changed your review here since the export."))
            return
        # The rating stays: ratings.csv holds the current one, a review the one of its day.
        review.body = text
        review.contains_spoilers = spoilers
        _dated(review, row)
        _done(row, RowStatus.saved, _("Review saved."))

    def _like(self, row: ImportRow, library: _Library) -> None:
        review = library.reviews.get(row.movie_id)
        if review is None:
            _done(
                row,
                RowStatus.failed,
                _(
                    "A like is kept here as “recommends” on your rating, "
                    "and this film has no rating."
                ),
            )
        elif review.recommends:
            _done(row, RowStatus.unchanged, _("Already recommended."))
        elif review.recommends is False and self._changed_since_export(review):
            _done(
                row,
                RowStatus.kept,
                _("You said here since the export that you do not recommend it."),
            )
        else:
            review.recommends = True
            _dated(review, row)
            _done(row, RowStatus.saved, _("Marked as recommended."))

    def _diary(self, row: ImportRow, library: _Library) -> None:
        day = row_day(row, "watched_on")
        key = (row.movie_id, day)
        self._claimed[key] += 1
        if library.diary[key] >= self._claimed[key]:
            _done(
                row,
                RowStatus.unchanged,
                _("Already in your diary for %(day)s.", day=day.isoformat()),
            )
            return
        self._insert(
            DiaryEntry,
            user_id=self.user.id,
            movie_id=row.movie_id,
            watched_on=day,
            rating=row.data.get("rating"),
            rewatch=bool(row.data.get("rewatch")),
            created_at=_when(row, default=day_start(day)),
        )
        library.diary[key] += 1
        library.logged.add(row.movie_id)
        _done(row, RowStatus.saved, _("Logged for %(day)s.", day=day.isoformat()))

    def _seen(self, row: ImportRow, library: _Library) -> None:
        if row.movie_id in library.seen:
            _done(row, RowStatus.unchanged, _("Already marked seen."))
            return
        if row.movie_id in library.reviews or row.movie_id in library.logged:
            _done(row, RowStatus.unchanged, _("Already rated or in your diary."))
            return
        if (RowKind.seen, row.movie_id) in library.imported_before:
            _done(
                row, RowStatus.kept, _("An earlier import marked it seen, and you took that back.")
            )
            return
        self._insert(
            SeenMovie,
            user_id=self.user.id,
            movie_id=row.movie_id,
            marked_on=row_day(row),
            created_at=utcnow(),
        )
        library.seen.add(row.movie_id)
        _done(row, RowStatus.saved, _("Marked seen."))

    def _watchlist(self, row: ImportRow, library: _Library) -> None:
        if row.movie_id in library.watchlist:
            _done(row, RowStatus.unchanged, _("Already on your watchlist."))
        elif row.movie_id in library.watched_since:
            _done(row, RowStatus.kept, _("You have watched or rated it here since the export."))
        elif (RowKind.watchlist, row.movie_id) in library.imported_before:
            _done(row, RowStatus.kept, _("An earlier import listed it, and you took it off here."))
        else:
            self._insert(
                WatchlistEntry,
                user_id=self.user.id,
                movie_id=row.movie_id,
                added_at=_when(row, default=utcnow()),
            )
            library.watchlist.add(row.movie_id)
            _done(row, RowStatus.saved, _("Added to your watchlist."))

    def _list_entry(self, row: ImportRow, library: _Library) -> None:
        about = row.data["list"]
        movie_list = library.list_for(self.user, about)
        entries = library.list_entries.setdefault(movie_list.id, set())
        if row.movie_id in entries:
            _done(row, RowStatus.unchanged, _("Already on “%(list)s”.", list=movie_list.title))
            return
        self._insert(
            MovieListEntry,
            list_id=movie_list.id,
            movie_id=row.movie_id,
            position=row.data.get("position") or len(entries) + 1,
            note=row.data.get("note"),
            added_at=utcnow(),
        )
        entries.add(row.movie_id)
        _done(row, RowStatus.saved, _("Added to “%(list)s”.", list=movie_list.title))

    def _insert(self, model: type, **values: object) -> None:
        self._new.setdefault(model, []).append(values)

    def _changed_since_export(self, review: Review) -> bool:
        return review.updated_at is not None and review.updated_at > self.exported_at


def _when(row: ImportRow, *, default: datetime) -> datetime:
    day = row_day(row)
    return day_start(day) if day else default


def _dated(review: Review, row: ImportRow) -> None:
    """Date an imported change by its row, not by now, so a later export still applies."""
    # Never earlier than it was: that would hide a change made after the export.
    review.updated_at = max(_when(row, default=utcnow()), review.updated_at or review.created_at)


def _done(row: ImportRow, status: RowStatus, message: str) -> None:
    row.status = status
    row.message = message


class _Library:
    """What the member already has for a batch's films, read in one query per kind."""

    def __init__(self) -> None:
        self.reviews: dict[int, Review] = {}
        self.diary: Counter[tuple[int, date]] = Counter()
        self.seen: set[int] = set()
        self.watchlist: set[int] = set()
        self.watched_since: set[int] = set()
        self.logged: set[int] = set()
        # (kind, movie) an earlier import of this member wrote or found.
        self.imported_before: set[tuple[RowKind, int]] = set()
        self.lists: dict[str, MovieList] = {}
        self.list_entries: dict[int, set[int]] = {}

    @classmethod
    def load(
        cls, user: User, movie_ids: set[int], exported_at: datetime, import_id: int
    ) -> _Library:
        library = cls()
        ids = sorted(movie_ids)
        library.reviews = {
            review.movie_id: review
            for review in db.session.scalars(
                select(Review).where(Review.user_id == user.id, Review.movie_id.in_(ids))
            )
        }
        diary_counts = (
            select(DiaryEntry.movie_id, DiaryEntry.watched_on, func.count())
            .where(DiaryEntry.user_id == user.id, DiaryEntry.movie_id.in_(ids))
            .group_by(DiaryEntry.movie_id, DiaryEntry.watched_on)
        )
        for movie_id, day, count in db.session.execute(diary_counts):
            library.diary[(movie_id, day)] = count
            library.logged.add(movie_id)
            if day > exported_at.date():
                library.watched_since.add(movie_id)
        library.watched_since.update(
            movie_id
            for movie_id, review in library.reviews.items()
            if review.created_at > exported_at
        )
        earlier = (
            select(ImportRow.kind, ImportRow.movie_id)
            .join(Import, Import.id == ImportRow.import_id)
            .where(
                Import.user_id == user.id,
                Import.id != import_id,
                ImportRow.movie_id.in_(ids),
                ImportRow.kind.in_(REMOVABLE),
                ImportRow.status.in_((RowStatus.saved, RowStatus.unchanged)),
            )
            .distinct()
        )
        library.imported_before = {(kind, movie) for kind, movie in db.session.execute(earlier)}
        library.seen = set(
            db.session.scalars(
                select(SeenMovie.movie_id).where(
                    SeenMovie.user_id == user.id, SeenMovie.movie_id.in_(ids)
                )
            )
        )
        library.watchlist = set(
            db.session.scalars(
                select(WatchlistEntry.movie_id).where(
                    WatchlistEntry.user_id == user.id, WatchlistEntry.movie_id.in_(ids)
                )
            )
        )
        return library

    def list_for(self, user: User, about: dict) -> MovieList:
        """The member's list this import's list goes into, made on first use."""
        key = about["key"]
        if key not in self.lists:
            movie_list = db.session.scalar(
                select(MovieList).where(MovieList.user_id == user.id, MovieList.source == key)
            )
            if movie_list is None:
                movie_list = MovieList(
                    user_id=user.id,
                    title=about["title"],
                    description=about.get("description"),
                    ranked=bool(about.get("ranked")),
                    source=key,
                )
                db.session.add(movie_list)
                db.session.flush()
            self.lists[key] = movie_list
            self.list_entries[movie_list.id] = set(
                db.session.scalars(
                    select(MovieListEntry.movie_id).where(MovieListEntry.list_id == movie_list.id)
                )
            )
        return self.lists[key]

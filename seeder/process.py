"""Process stage: raw TMDB replies → checked, normalized JSON Lines, with a report.

Every dropped or repaired record is reported with its reason; a malformed
record never stops the run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from app.infra.progress import Progress

from .storage import JsonLinesWriter, RawStore, read_json, write_json_lines

IMDB_ID = re.compile(r"^(tt|nm)\d{5,10}$")
LONGEST_RUNTIME = 1_000  # minutes; longer is a data error
LATEST_YEAR = 2100
EARLIEST_RELEASE_YEAR = 1870  # the first motion pictures
EARLIEST_BIRTH_YEAR = 1000  # writers credited for source material (Shakespeare: 1564)
# Column sizes in app/models: longer text is cut, and reported.
MAX_ALTERNATIVE_TITLES = 40
LIMITS = {
    "title": 300,
    "original_title": 300,
    "tagline": 500,
    "status": 40,
    "certification": 16,
    "poster_path": 200,
    "backdrop_path": 200,
    "profile_path": 200,
    "homepage": 500,
    "trailer_key": 64,
    "name": 200,
    "place_of_birth": 300,
    "known_for_department": 60,
    "character": 500,
    "department": 60,
    "job": 100,
    "credit_id": 32,
    "original_language": 16,
    "genre": 80,
    "keyword": 200,
}


class MalformedRecordError(ValueError):
    """A record that cannot be used; the message is the reason."""


@dataclass
class Report:
    """Dropped and repaired records, by kind, with reasons."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    kept: Counter[str] = field(default_factory=Counter)

    def dropped(self, kind: str, key: Any, reason: str) -> None:
        """Record a record left out."""
        self.entries.append({"kind": kind, "id": key, "action": "dropped", "reason": reason})

    def repaired(self, kind: str, key: Any, reason: str) -> None:
        """Record a record kept after a fix."""
        self.entries.append({"kind": kind, "id": key, "action": "repaired", "reason": reason})

    def count(self, action: str, kind: str) -> int:
        """How many records of a kind were dropped or repaired."""
        return sum(
            1 for entry in self.entries if entry["action"] == action and entry["kind"] == kind
        )

    def lines(self) -> list[str]:
        """Summary lines per kind."""
        plurals = {"genre": "genres", "movie": "movies", "person": "people", "credit": "credits"}
        return [
            f"{plural}: {self.kept[kind]} kept, {self.count('repaired', kind)} repaired, "
            f"{self.count('dropped', kind)} dropped"
            for kind, plural in plurals.items()
        ]


class Checker:
    """Type and range checks for one record, reporting repairs as it goes."""

    def __init__(self, report: Report, kind: str, key: Any) -> None:
        self.report, self.kind, self.key = report, kind, key

    def repair(self, reason: str) -> None:
        """Report a fix to this record."""
        self.report.repaired(self.kind, self.key, reason)

    def text(self, data: dict[str, Any], name: str, *, limit_key: str | None = None) -> str | None:
        """Trimmed text or None; cut to the column size."""
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.repair(f"{name} is not text ({type(value).__name__}); dropped it")
            return None
        value = value.strip()
        limit = LIMITS.get(limit_key or name)
        if limit and len(value) > limit:
            self.repair(f"{name} longer than {limit} characters; cut")
            value = value[:limit].rstrip()
        return value or None

    def integer(
        self, data: dict[str, Any], name: str, low: int, high: int | None = None
    ) -> int | None:
        """An int within [low, high], or None."""
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.repair(f"{name} is not a whole number ({value!r}); dropped it")
            return None
        if value < low or (high is not None and value > high):
            self.repair(f"{name} {value} is out of range; dropped it")
            return None
        return value

    def number(
        self, data: dict[str, Any], name: str, low: float, high: float | None = None
    ) -> float:
        """A float within [low, high], or 0.0."""
        value = data.get(name)
        if value is None:
            return 0.0
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.repair(f"{name} is not a number ({value!r}); used 0")
            return 0.0
        if value < low or (high is not None and value > high):
            self.repair(f"{name} {value} is out of range; used 0")
            return 0.0
        return float(value)

    def day(self, data: dict[str, Any], name: str, earliest_year: int) -> str | None:
        """An ISO date from earliest_year to LATEST_YEAR, or None."""
        value = data.get(name)
        if value in (None, ""):
            return None
        try:
            parsed = date.fromisoformat(str(value)[:10])
        except ValueError:
            self.repair(f"{name} {value!r} is not a date; dropped it")
            return None
        if not earliest_year <= parsed.year <= LATEST_YEAR:
            self.repair(f"{name} {value} is out of range; dropped it")
            return None
        return parsed.isoformat()

    def imdb_id(self, data: dict[str, Any]) -> str | None:
        """An IMDb id (tt… or nm…), or None."""
        value = data.get("imdb_id")
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not IMDB_ID.match(value):
            self.repair(f"imdb_id {value!r} is malformed; dropped it")
            return None
        return value


def record_id(data: Any) -> int:
    """The record's TMDB id, or MalformedRecordError."""
    if not isinstance(data, dict):
        raise MalformedRecordError(f"expected a JSON object, got {type(data).__name__}")
    value = data.get("id")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise MalformedRecordError(f"missing or invalid id ({value!r})")
    return value


def normalize_movie(
    data: dict[str, Any], report: Report, languages: Sequence[str] = ()
) -> dict[str, Any]:
    """The movies.jsonl record for one raw movie reply (raises MalformedRecordError).

    `languages` are the catalog's other languages: their titles, overviews and
    taglines come from TMDB's translations block.
    """
    movie_id = record_id(data)
    check = Checker(report, "movie", movie_id)
    title = check.text(data, "title") or check.text(data, "original_title")
    if not title:
        raise MalformedRecordError("no title")
    if not check.text(data, "title"):
        check.repair("title missing; used the original title")
    genre_ids = []
    for genre in data.get("genres") or []:
        if isinstance(genre, dict) and isinstance(genre.get("id"), int):
            genre_ids.append(genre["id"])
        else:
            check.repair(f"genre entry {genre!r} is malformed; skipped it")
    return {
        "tmdb_id": movie_id,
        "imdb_id": check.imdb_id(data),
        "title": title,
        "original_title": check.text(data, "original_title"),
        "original_language": check.text(data, "original_language"),
        "tagline": check.text(data, "tagline"),
        "overview": check.text(data, "overview", limit_key="overview"),
        "release_date": check.day(data, "release_date", EARLIEST_RELEASE_YEAR),
        "runtime": check.integer(data, "runtime", 0, LONGEST_RUNTIME),
        "budget": check.integer(data, "budget", 0),
        "revenue": check.integer(data, "revenue", 0),
        "status": check.text(data, "status"),
        "certification": _certification(data),
        "popularity": check.number(data, "popularity", 0),
        "vote_average": check.number(data, "vote_average", 0, 10),
        "vote_count": check.integer(data, "vote_count", 0) or 0,
        "poster_path": check.text(data, "poster_path"),
        "backdrop_path": check.text(data, "backdrop_path"),
        "homepage": check.text(data, "homepage"),
        "trailer_key": _trailer_key(data),
        "genre_ids": list(dict.fromkeys(genre_ids)),
        "keywords": _keywords(data),
        "alternative_titles": _alternative_titles(data),
        "translations": _translations(data, languages, MOVIE_TRANSLATED, check),
        "countries": [
            country["iso_3166_1"]
            for country in data.get("production_countries") or []
            if isinstance(country, dict) and isinstance(country.get("iso_3166_1"), str)
        ],
    }


def normalize_credits(
    data: dict[str, Any], movie_id: int, report: Report, seen: set[str]
) -> list[dict[str, Any]]:
    """The credits.jsonl records of one raw movie; bad entries are reported and skipped."""
    credits = data.get("credits")
    if not isinstance(credits, dict):
        if credits is not None:
            report.repaired("movie", movie_id, "credits block is malformed; no credits kept")
        return []
    records = []
    for kind in ("cast", "crew"):
        members = credits.get(kind) or []
        if not isinstance(members, list):
            report.repaired("movie", movie_id, f"{kind} list is malformed; skipped it")
            continue
        for member in members:
            try:
                record = _credit(member, kind, movie_id, report)
            except MalformedRecordError as error:
                key = member.get("credit_id") if isinstance(member, dict) else None
                report.dropped("credit", key or f"movie {movie_id}", str(error))
                continue
            if record["credit_id"] in seen:
                report.dropped("credit", record["credit_id"], "duplicate credit_id")
                continue
            seen.add(record["credit_id"])
            records.append(record)
    return records


def _credit(member: Any, kind: str, movie_id: int, report: Report) -> dict[str, Any]:
    person_id = record_id(member)
    credit_id = member.get("credit_id")
    if not isinstance(credit_id, str) or not credit_id.strip():
        raise MalformedRecordError("missing credit_id")
    check = Checker(report, "credit", credit_id)
    if len(credit_id) > LIMITS["credit_id"]:
        raise MalformedRecordError("credit_id is too long")
    name = check.text(member, "name")
    if not name:
        raise MalformedRecordError("credit has no person name")
    record = {
        "credit_id": credit_id,
        "movie_tmdb_id": movie_id,
        "person_tmdb_id": person_id,
        "kind": kind,
        "character": None,
        "order": None,
        "department": None,
        "job": None,
        # What the credit says about the person, for people without their own record.
        "person": {
            "name": name,
            "gender": _gender(member.get("gender")),
            "known_for_department": check.text(member, "known_for_department"),
            "profile_path": check.text(member, "profile_path"),
            "popularity": check.number(member, "popularity", 0),
        },
    }
    if kind == "cast":
        record["character"] = check.text(member, "character")
        record["order"] = check.integer(member, "order", 0)
    else:
        record["department"] = check.text(member, "department")
        record["job"] = check.text(member, "job")
        if not record["job"]:
            raise MalformedRecordError("crew credit has no job")
    return record


def normalize_person(
    data: dict[str, Any], report: Report, languages: Sequence[str] = ()
) -> dict[str, Any]:
    """The people.jsonl record for one raw person reply (raises MalformedRecordError)."""
    person_id = record_id(data)
    check = Checker(report, "person", person_id)
    name = check.text(data, "name")
    if not name:
        raise MalformedRecordError("no name")
    birthday = check.day(data, "birthday", EARLIEST_BIRTH_YEAR)
    deathday = check.day(data, "deathday", EARLIEST_BIRTH_YEAR)
    if birthday and deathday and deathday < birthday:
        check.repair("deathday before birthday; dropped the deathday")
        deathday = None
    return {
        "tmdb_id": person_id,
        "imdb_id": check.imdb_id(data),
        "name": name,
        "biography": check.text(data, "biography", limit_key="biography"),
        "birthday": birthday,
        "deathday": deathday,
        "place_of_birth": check.text(data, "place_of_birth"),
        "gender": _gender(data.get("gender")),
        "known_for_department": check.text(data, "known_for_department"),
        "popularity": check.number(data, "popularity", 0),
        "profile_path": check.text(data, "profile_path"),
        "translations": _translations(data, languages, PERSON_TRANSLATED, check),
    }


# What TMDB's translations block gives for each kind, as our fields name it.
MOVIE_TRANSLATED = {"title": "title", "overview": "overview", "tagline": "tagline"}
PERSON_TRANSLATED = {"biography": "biography"}


def _translations(
    data: dict[str, Any], languages: Sequence[str], fields: dict[str, str], check: Checker
) -> dict[str, dict[str, str]]:
    """The texts in each of `languages` that TMDB has: {"pt-BR": {"title": …}}.

    TMDB lists one entry per language and country ("pt" + "BR"); an empty
    text means "not translated", and is left out, so the page falls back.
    """
    block = data.get("translations")
    entries = block.get("translations") if isinstance(block, dict) else None
    found: dict[str, dict[str, str]] = {}
    for language in languages:
        entry = _translation_entry(entries or [], language)
        texts = entry.get("data") if entry else None
        if not isinstance(texts, dict):
            continue
        kept = {
            field: value
            for field, source in fields.items()
            if (value := check.text(texts, source, limit_key=field))
        }
        if kept:
            found[language] = kept
    return found


def _translation_entry(entries: list[Any], language: str) -> dict[str, Any] | None:
    """TMDB's entry for "pt-BR" (language pt, country BR); for "pt", Brazil's or the first."""
    code, _, country = language.partition("-")
    matching = [
        entry
        for entry in entries
        if isinstance(entry, dict) and entry.get("iso_639_1") == code.lower()
    ]
    if country:
        return next((e for e in matching if e.get("iso_3166_1") == country.upper()), None)
    return matching[0] if matching else None


def _gender(value: Any) -> int:
    return value if isinstance(value, int) and value in (0, 1, 2, 3) else 0


def _certification(data: dict[str, Any]) -> str | None:
    """The US theatrical certification, else any US one, else None."""
    results = (
        (data.get("release_dates") or {}).get("results")
        if isinstance(data.get("release_dates"), dict)
        else None
    )
    for country in results or []:
        if not isinstance(country, dict) or country.get("iso_3166_1") != "US":
            continue
        dates = [d for d in country.get("release_dates") or [] if isinstance(d, dict)]
        dates.sort(key=lambda d: d.get("type") != 3)  # theatrical first
        for release in dates:
            value = release.get("certification")
            if isinstance(value, str) and value.strip():
                return value.strip()[: LIMITS["certification"]]
    return None


def _trailer_key(data: dict[str, Any]) -> str | None:
    """The YouTube key of the official trailer, else of any trailer."""
    videos = data.get("videos")
    results = videos.get("results") if isinstance(videos, dict) else None
    trailers = [
        video
        for video in results or []
        if isinstance(video, dict)
        and video.get("site") == "YouTube"
        and video.get("type") == "Trailer"
        and isinstance(video.get("key"), str)
    ]
    trailers.sort(key=lambda video: not video.get("official"))
    return trailers[0]["key"][: LIMITS["trailer_key"]] if trailers else None


def _alternative_titles(data: dict[str, Any]) -> list[str]:
    """The other titles TMDB lists, once each, without the title and original title."""
    block = data.get("alternative_titles")
    titles = block.get("titles") if isinstance(block, dict) else None
    own = {data.get("title"), data.get("original_title")}
    found: dict[str, None] = {}
    for entry in titles or []:
        title = entry.get("title") if isinstance(entry, dict) else None
        if isinstance(title, str) and title.strip() and title.strip() not in own:
            found.setdefault(" ".join(title.split())[: LIMITS["title"]], None)
    return list(found)[:MAX_ALTERNATIVE_TITLES]


def _keywords(data: dict[str, Any]) -> list[dict[str, Any]]:
    block = data.get("keywords")
    keywords = block.get("keywords") if isinstance(block, dict) else None
    found: dict[int, str] = {}
    for keyword in keywords or []:
        if (
            isinstance(keyword, dict)
            and isinstance(keyword.get("id"), int)
            and isinstance(keyword.get("name"), str)
            and keyword["name"].strip()
        ):
            found.setdefault(keyword["id"], keyword["name"].strip()[: LIMITS["keyword"]])
    return [{"tmdb_id": key, "name": name} for key, name in found.items()]


@dataclass
class ProcessSummary:
    """Counts written and the report."""

    report: Report
    written: dict[str, int]

    def lines(self) -> list[str]:
        """Summary lines."""
        return self.report.lines()


def process(
    raw_root: Path,
    output: Path,
    *,
    stream: TextIO | None = None,
    movie_ids: Iterable[int] | None = None,
    person_ids: Iterable[int] | None = None,
    known_people: Collection[int] = frozenset(),
    languages: Sequence[str] = (),
) -> ProcessSummary:
    """Turn raw replies under raw_root into processed files under output.

    By default every reply; a sync passes the `movie_ids` and `person_ids` it
    refetched, and the `known_people` already in the catalog, who need no row
    built from a credit (it would blank the biography they have). Texts in
    `languages` (the catalog's other languages) are kept from TMDB's translations.
    """
    store = RawStore(raw_root)
    report = Report()
    written: dict[str, int] = {}
    credited: dict[int, dict[str, Any]] = {}
    genre_names: dict[int, str] = {}

    movies_out = JsonLinesWriter(output / "movies.jsonl")
    credits_out = JsonLinesWriter(output / "credits.jsonl")
    try:
        seen_credits: set[str] = set()
        movie_ids = store.movie_ids() if movie_ids is None else sorted(set(movie_ids))
        progress = Progress("process movies", len(movie_ids), stream=stream)
        for movie_id in movie_ids:
            progress.advance()
            try:
                data = read_json(store.movie_path(movie_id))
                movie = normalize_movie(data, report, languages)
                movie["fetched_at"] = fetched_at(store.movie_path(movie_id))
            except (OSError, ValueError) as error:
                report.dropped("movie", movie_id, _reason(error))
                continue
            if movie["tmdb_id"] != movie_id:
                report.dropped("movie", movie_id, f"file holds movie {movie['tmdb_id']}")
                continue
            _collect_genres(data, genre_names)
            movies_out.write(movie)
            report.kept["movie"] += 1
            for credit in normalize_credits(data, movie_id, report, seen_credits):
                details = credit.pop("person")
                credited.setdefault(credit["person_tmdb_id"], details)
                credits_out.write(credit)
                report.kept["credit"] += 1
        progress.finish()
    except BaseException:
        movies_out.abort()
        credits_out.abort()
        raise
    movies_out.commit()
    credits_out.commit()
    written["movies"], written["credits"] = movies_out.count, credits_out.count

    chosen = store.person_ids() if person_ids is None else sorted(set(person_ids))
    written["people"] = write_json_lines(
        output / "people.jsonl",
        _people(store, chosen, credited, known_people, report, stream, languages),
    )
    written["genres"] = write_json_lines(
        output / "genres.jsonl", _genres(store, genre_names, report, languages)
    )
    write_json_lines(output / "report.jsonl", report.entries)
    return ProcessSummary(report=report, written=written)


def _people(
    store: RawStore,
    person_ids: list[int],
    credited: dict[int, dict[str, Any]],
    known: Collection[int],
    report: Report,
    stream: TextIO | None,
    languages: Sequence[str],
) -> Iterator[dict[str, Any]]:
    progress = Progress("process people", len(person_ids), stream=stream)
    with_records: set[int] = set()
    for person_id in person_ids:
        progress.advance()
        try:
            person = normalize_person(read_json(store.person_path(person_id)), report, languages)
            person["fetched_at"] = fetched_at(store.person_path(person_id))
        except (OSError, ValueError) as error:
            report.dropped("person", person_id, _reason(error))
            continue
        if person["tmdb_id"] != person_id:
            report.dropped("person", person_id, f"file holds person {person['tmdb_id']}")
            continue
        with_records.add(person_id)
        report.kept["person"] += 1
        yield person
    progress.finish()
    # Credited people TMDB gave no record for still need a row for their credits.
    for person_id in sorted(set(credited) - with_records - set(known)):
        details = credited[person_id]
        report.repaired("person", person_id, "no person record; built from the credit")
        report.kept["person"] += 1
        yield {
            "tmdb_id": person_id,
            "imdb_id": None,
            "name": details["name"],
            "biography": None,
            "birthday": None,
            "deathday": None,
            "place_of_birth": None,
            "gender": details["gender"],
            "known_for_department": details["known_for_department"],
            "popularity": details["popularity"],
            "profile_path": details["profile_path"],
            "translations": {},
            "fetched_at": None,
        }


def fetched_at(path: Path) -> str:
    """When a raw reply was written (its file's modification time), as ISO text in UTC."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def _collect_genres(data: dict[str, Any], names: dict[int, str]) -> None:
    for genre in data.get("genres") or []:
        if (
            isinstance(genre, dict)
            and isinstance(genre.get("id"), int)
            and isinstance(genre.get("name"), str)
        ):
            names.setdefault(genre["id"], genre["name"])


def _genres(
    store: RawStore, from_movies: dict[int, str], report: Report, languages: Sequence[str]
) -> Iterator[dict[str, Any]]:
    listed = _genre_list(store.genres_path, report, drop=True) or {}
    for genre_id, name in sorted(from_movies.items()):
        if genre_id not in listed:
            report.repaired("genre", genre_id, "not in genres.json; taken from a movie")
            listed[genre_id] = name.strip()[: LIMITS["genre"]]
    # Only the languages whose list is here: a sync, which fetches no genre lists,
    # says nothing about them, and the load keeps what it has.
    read = {
        language: _genre_list(store.genres_path_in(language), report, drop=False)
        for language in languages
        if store.genres_path_in(language).exists()
    }
    named_in = {language: names for language, names in read.items() if names is not None}
    for genre_id, name in sorted(listed.items()):
        report.kept["genre"] += 1
        # {} for a language whose list names the genre as the main one does: nothing to keep.
        translations = {
            language: {"name": names[genre_id]}
            if names.get(genre_id) and names[genre_id] != name
            else {}
            for language, names in named_in.items()
        }
        yield {"tmdb_id": genre_id, "name": name, "translations": translations}


def _genre_list(path: Path, report: Report, *, drop: bool) -> dict[int, str] | None:
    """TMDB id → name from a genre list file, None when it cannot be read.

    Its problems are reported (as drops when `drop`).
    """
    listed: dict[int, str] = {}
    if not path.exists():
        return listed
    note = report.dropped if drop else report.repaired
    try:
        data = read_json(path)
        entries = data.get("genres") if isinstance(data, dict) else None
    except (OSError, ValueError) as error:
        note("genre", path.name, _reason(error))
        return None
    for genre in entries or []:
        try:
            genre_id = record_id(genre)
        except MalformedRecordError as error:
            note("genre", None, f"{path.name}: {error}")
            continue
        name = genre.get("name")
        if not isinstance(name, str) or not name.strip():
            note("genre", genre_id, f"no name in {path.name}")
            continue
        listed[genre_id] = name.strip()[: LIMITS["genre"]]
    return listed


def _reason(error: Exception) -> str:
    if isinstance(error, MalformedRecordError):
        return str(error)
    if isinstance(error, OSError):
        return f"unreadable file ({error.strerror})"
    return f"invalid JSON ({error})"

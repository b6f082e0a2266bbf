"""`flask seed …`: fill the catalog from TMDB or the bundled sample (DESIGN.md §5)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app

from seeder import SAMPLE_DIR, sync
from seeder import output_dir as seeder_output_dir
from seeder.describe import providers as describe_providers
from seeder.describe import run as describe_run
from seeder.describe.base import ProviderError
from seeder.describe.providers import PROVIDERS
from seeder.fetch import DEFAULT_CAST_LIMIT, Fetcher
from seeder.load import Loader
from seeder.process import process
from seeder.storage import PROCESSED, PROCESSED_FILES, RAW, RawStore, count_lines
from seeder.tmdb import ClientSettings, TMDBClient, TMDBError

from ..infra.config import catalog_languages
from ..infra.db import db, schema_problem, writing_job
from ..services import catalog, edits, revisions, search, syncs
from .database import needs_migrated_database


@click.group("seed", help="Fill the catalog: fetch → process → load, or the bundled sample.")
def group() -> None:
    """Fill the catalog."""


def output_dir() -> Path:
    """SEED_OUTPUT_DIR, or seeder/output in the project."""
    return seeder_output_dir(current_app.config)


def _fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--ids", help="Comma-separated TMDB movie ids, e.g. 550,680."),
        click.option(
            "--ids-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="One TMDB id a line; # starts a comment.",
        ),
        click.option("--popular", type=click.IntRange(min=1), help="The N most popular movies."),
        click.option("--top-rated", type=click.IntRange(min=1), help="The N best-rated movies."),
        click.option(
            "--year",
            type=click.IntRange(1870, 2100),
            help="Movies released that year (with --pages).",
        ),
        click.option(
            "--pages",
            type=click.IntRange(1, 500),
            default=1,
            show_default=True,
            help="Pages of 20 for --year.",
        ),
        click.option(
            "--cast-limit",
            type=click.IntRange(min=0),
            default=DEFAULT_CAST_LIMIT,
            show_default=True,
            help="Billed cast members whose person records are fetched.",
        ),
        click.option("--refresh", is_flag=True, help="Fetch again what is already saved."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@group.command("fetch")
@_fetch_options
def fetch_command(**options: Any) -> None:
    """Fetch movies, their people and the genres from TMDB into seeder/output/raw."""
    _fetch(**options)


@group.command("process")
def process_command() -> None:
    """Check and normalize raw replies into seeder/output/processed, with a report."""
    _process(output_dir() / RAW, output_dir() / PROCESSED)


@group.command("load")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@needs_migrated_database
def load_command(batch_size: int) -> None:
    """Upsert the processed files into the database."""
    _load(output_dir() / PROCESSED, batch_size)


@group.command("all")
@_fetch_options
@needs_migrated_database
def all_command(**options: Any) -> None:
    """Fetch, process, load and describe in one go."""
    _fetch(**options)
    _process(output_dir() / RAW, output_dir() / PROCESSED)
    _load(output_dir() / PROCESSED, 1000)
    _describe(_describe_options(), None)


@group.command("describe")
@click.option("--movies", "kinds", flag_value="movies", multiple=True, help="Movies.")
@click.option("--people", "kinds", flag_value="people", multiple=True, help="People.")
@click.option("--genres", "kinds", flag_value="genres", multiple=True, help="Genres.")
@click.option("--jobs", "kinds", flag_value="jobs", multiple=True, help="Crew jobs.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many of each kind.")
@click.option("--provider", type=click.Choice(PROVIDERS), help="Default: openai if configured.")
@click.option(
    "--language", help="Only this one of CATALOG_LANGUAGES, e.g. pt-BR (default: each of them)."
)
@click.option("--force", is_flag=True, help="Write generated texts again (never TMDB's).")
@click.option("--upgrade-offline", is_flag=True, help="Replace offline texts with a model's.")
@click.option("--dry-run", is_flag=True, help="List what would be written, and the tokens.")
@click.option("--max-requests", type=click.IntRange(min=1), help="Stop after this many.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Stop once this many are used.")
@click.option("--concurrency", type=click.IntRange(1, 32), help="Requests at once (default 4).")
@needs_migrated_database
def describe_command(kinds, limit, provider, language, concurrency, **flags: Any) -> None:
    """Write missing descriptions and biographies (AI model, or the offline writer)."""
    config = current_app.config
    options = _describe_options(
        language,
        kinds=describe_run.chosen(kinds),
        limit=limit,
        concurrency=concurrency or config["DESCRIBE_CONCURRENCY"],
        **flags,
    )
    _describe(options, provider)


def _describe_options(language: str | None = None, **chosen: Any) -> describe_run.Options:
    """Describe options for CATALOG_LANGUAGES, or for the one `language` of them asked."""
    languages = catalog_languages(current_app.config)
    if language is not None and language not in languages:
        raise click.BadParameter(
            f"{language!r} is not one of CATALOG_LANGUAGES ({', '.join(languages)}).",
            param_hint="--language",
        )
    return describe_run.Options(
        languages=(language,) if language else languages, main_language=languages[0], **chosen
    )


def _describe(options: describe_run.Options, asked: str | None) -> None:
    try:
        provider = describe_providers.from_config(current_app.config, asked)
    except ProviderError as error:
        raise click.ClickException(str(error)) from None
    label = provider.name + (f" ({provider.model})" if provider.model else "")
    try:
        summary = describe_run.describe(provider, options, stream=sys.stderr)
    except describe_run.Interrupted as stop:
        for line in stop.summary.lines(provider=label, dry_run=False):
            click.echo(line)
        click.echo("Stopped. What was written is saved; run again to go on.", err=True)
        raise SystemExit(130) from None
    for line in summary.lines(provider=label, dry_run=options.dry_run):
        click.echo(line)
    if summary.fatal:
        raise click.ClickException(summary.fatal)


@group.command("sample")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalog has movies.")
@needs_migrated_database
def sample_command(if_empty: bool) -> None:
    """Load the bundled offline sample catalog (no network needed)."""
    if if_empty and catalog.count():
        click.echo("The catalog already has movies; sample not loaded.")
        return
    with tempfile.TemporaryDirectory(prefix="marquee-sample-") as folder:
        _process(SAMPLE_DIR, Path(folder), quiet=True)
        _load(Path(folder), 1000)


@group.command("reindex")
@needs_migrated_database
def reindex_command() -> None:
    """Rebuild the search index from every movie and person (the loader keeps it in step)."""
    entries = search.rebuild()
    search.optimize()
    revisions.bump()
    db.session.commit()
    click.echo(f"search index: {entries:,} entries")


@group.command("status")
def status_command() -> None:
    """Counts in raw, processed and the database."""
    store = RawStore(output_dir() / RAW)
    processed = output_dir() / PROCESSED
    genres = "yes" if store.genres_path.exists() else "no"
    click.echo(
        f"raw ({store.root}): {len(store.movie_ids())} movies, "
        f"{len(store.person_ids())} people, genres {genres}"
    )
    counts = ", ".join(
        f"{count_lines(processed / f'{name}.jsonl')} {name}" for name in PROCESSED_FILES
    )
    click.echo(f"processed ({processed}): {counts}")
    problem = schema_problem()
    if problem is not None:
        raise click.ClickException(f"database: unavailable. {problem}")
    click.echo(
        "database: "
        + ", ".join(f"{number} {name}" for name, number in catalog.table_counts().items())
    )
    locked, differing = edits.locked_fields_report()
    click.echo(
        f"hand edits: {locked} locked field{'' if locked == 1 else 's'}, "
        f"{differing} of them differ{'s' if differing == 1 else ''} from TMDB"
    )


def _fetch(*, ids, ids_file, popular, top_rated, year, pages, cast_limit, refresh) -> None:
    settings = ClientSettings.from_config(current_app.config)
    try:
        client = TMDBClient(settings)
        movie_ids = _requested_ids(client, ids, ids_file, popular, top_rated, year, pages)
        fetcher = Fetcher(
            client,
            RawStore(output_dir() / RAW),
            concurrency=settings.concurrency,
            cast_limit=cast_limit,
            refresh=refresh,
            stream=sys.stderr,
        )
        summary = fetcher.run(movie_ids)
    except TMDBError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("\nStopped. Run the same command again to fetch only what is missing.", err=True)
        raise SystemExit(130) from None
    for line in summary.lines():
        click.echo(line)


def _requested_ids(client: TMDBClient, ids, ids_file, popular, top_rated, year, pages) -> list[int]:
    if not any((ids, ids_file, popular, top_rated, year)):
        raise click.UsageError(
            "Say what to fetch: --ids, --ids-file, --popular, --top-rated or --year."
        )
    if pages != 1 and not year:
        raise click.UsageError("--pages goes with --year.")
    requested: list[int] = []
    if ids:
        requested += _parse_ids(ids.split(","), "--ids")
    if ids_file:
        lines = (
            line.split("#", 1)[0] for line in ids_file.read_text(encoding="utf-8").splitlines()
        )
        requested += _parse_ids(lines, str(ids_file))
    if popular:
        requested += client.popular_ids(popular)
    if top_rated:
        requested += client.top_rated_ids(top_rated)
    if year:
        requested += client.discover_ids(year=year, pages=pages)
    return list(dict.fromkeys(requested))


def _parse_ids(values, source: str) -> list[int]:
    parsed = []
    for value in (value.strip() for value in values):
        if not value:
            continue
        if not value.isdigit() or int(value) == 0:
            raise click.BadParameter(
                f"{value!r} is not a TMDB id (a positive whole number).", param_hint=source
            )
        parsed.append(int(value))
    return parsed


def _process(raw: Path, processed: Path, *, quiet: bool = False) -> None:
    if not (raw / "movies").is_dir():
        raise click.ClickException(f"No raw movies in {raw}: run `flask seed fetch` first.")
    summary = process(
        raw, processed, stream=sys.stderr, languages=catalog_languages(current_app.config)[1:]
    )
    for line in summary.lines():
        click.echo(line)
    if not quiet:
        click.echo(f"report: {processed / 'report.jsonl'} ({len(summary.report.entries)} entries)")


def _load(processed: Path, batch_size: int) -> None:
    loader = Loader(db.session, batch_size=batch_size, stream=sys.stderr)
    try:
        summary = loader.run(processed)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    for line in summary.lines():
        click.echo(line)


@group.command("sync")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read TMDB's changes from this day (YYYY-MM-DD) instead of the last sync's end.",
)
@click.option("--dry-run", is_flag=True, help="List what would be refetched; change nothing.")
@needs_migrated_database
def sync_command(since, dry_run: bool) -> None:
    """Apply TMDB's change lists since the last sync: refetch, process and load what changed."""
    with _catalog_writer("sync") as refresher:
        summary = sync.Syncer(refresher).run(since=since.date() if since else None, dry_run=dry_run)
    for line in summary.lines():
        click.echo(line)


@contextmanager
def _catalog_writer(name: str) -> Iterator[sync.Refresher]:
    """A Refresher on the configured TMDB client, with every failure a clean error."""
    token = writing_job.set(True)  # the web may write meanwhile: take SQLite's lock up front
    try:
        yield sync.from_app(current_app, stream=sys.stderr)
    except (TMDBError, sync.SyncError, syncs.SyncBusyError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo(f"\nStopped. The next {name} goes on from the last completed window.", err=True)
        raise SystemExit(130) from None
    finally:
        writing_job.reset(token)


@group.command("refresh")
@click.option(
    "--stale", is_flag=True, required=True, help="Refetch records by the age of their fetch."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (REFRESH_BATCH).")
@click.option("--dry-run", is_flag=True, help="List what would be refetched; change nothing.")
@needs_migrated_database
def refresh_command(stale: bool, limit: int | None, dry_run: bool) -> None:
    """Refetch the records most overdue: recent releases after a day, older ones after a month."""
    config = current_app.config
    with _catalog_writer("refresh") as refresher:
        summary = sync.refresh_stale(
            refresher,
            ages=sync.Ages.from_config(config),
            limit=limit or config["REFRESH_BATCH"],
            dry_run=dry_run,
        )
    for line in summary.lines():
        click.echo(line)

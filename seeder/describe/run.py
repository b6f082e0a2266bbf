"""The describe stage: decide what needs a text, write it (in parallel), check and store it.

Every answer is reduced to plain prose (no markdown, preambles or sign-offs)
before it is checked. Database work stays on the calling thread; only the
provider's calls run on worker threads. Results are committed in batches, so
an interrupted run keeps what it finished, and a rerun with unchanged facts
asks for nothing: a stored text whose prompt hash matches is a cache hit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TextIO

from app.infra.db import db
from app.infra.progress import Progress
from app.models import GeneratedText, TextSource
from app.models.mixins import utcnow
from app.services import revisions

from . import subjects
from .base import Prompt, Provider, ProviderError, ProviderUnusableError, Written
from .normalize import plain_prose
from .subjects import Subject

KINDS = ("movies", "people", "genres", "jobs")
_SENTENCE_END = re.compile(r"(?:[.!?…](?:[\"”’')\]]*)(?=\s|$)|[。！？])")


@dataclass(frozen=True)
class Options:
    """What to describe and how."""

    kinds: tuple[str, ...] = KINDS
    # The catalog's languages (CATALOG_LANGUAGES), the main one first; each gets its texts.
    languages: tuple[str, ...] = ("en",)
    main_language: str = "en"
    limit: int | None = None
    force: bool = False
    upgrade_offline: bool = False
    dry_run: bool = False
    max_requests: int | None = None
    max_tokens: int | None = None
    concurrency: int = 4
    batch_size: int = 50


@dataclass
class Summary:
    """What a run did and cost."""

    written: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    kept: int = 0  # texts a model wrote, left alone by the offline writer
    unwritable: list[str] = field(default_factory=list)  # languages the provider cannot write
    planned: list[Subject] = field(default_factory=list)
    estimated_tokens: int = 0
    failures: list[tuple[Subject, str]] = field(default_factory=list)
    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    stopped: str | None = None
    fatal: str | None = None  # set when no further request can succeed

    def lines(self, *, provider: str, dry_run: bool) -> list[str]:
        """The closing report."""
        if dry_run:
            by_kind = Counter(subject.kind for subject in self.planned)
            listed = ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items()))
            return [
                f"Would write {len(self.planned)} texts with {provider} ({listed or 'none'}); "
                f"about {self.estimated_tokens:,} tokens. {self.cached} already up to date.",
                *(f"  {s.kind} {s.prompt.subject}" for s in self.planned[:50]),
                *([f"  … and {len(self.planned) - 50:,} more"] if len(self.planned) > 50 else []),
            ]
        written = ", ".join(f"{count} {kind}" for kind, count in sorted(self.written.items()))
        lines = [
            f"Wrote {sum(self.written.values())} texts with {provider} ({written or 'none'}); "
            f"{self.cached} already up to date"
            + (f", {self.kept} written by a model kept" if self.kept else "")
            + ".",
            f"Usage: {self.requests} requests, {self.tokens_in:,} tokens in, "
            f"{self.tokens_out:,} tokens out.",
        ]
        if self.unwritable:
            lines.append(
                f"{provider} cannot write {', '.join(self.unwritable)}: nothing was written in it."
            )
        if self.stopped:
            lines.append(f"Stopped early: {self.stopped}. Run again to go on.")
        if self.failures:
            lines.append(f"{len(self.failures)} failed (the rest was saved):")
            lines += [
                f"  {subject.kind} {subject.prompt.subject}: {reason}"
                for subject, reason in self.failures
            ]
        return lines


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; carries the summary of what was done and saved."""

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary


def describe(provider: Provider, options: Options, *, stream: TextIO | None = None) -> Summary:
    """Write the texts `options` ask for with `provider`; returns what happened."""
    summary = Summary()
    todo = list(_needing_text(provider, options, summary))
    if options.dry_run:
        summary.planned = todo
        if provider.name != "offline":
            summary.estimated_tokens = sum(_estimate(s.prompt) for s in todo)
        return summary
    if not todo:
        return summary
    progress = Progress("describe", len(todo), stream=stream)
    pending: dict[Future[Written], Subject] = {}
    queue = iter(todo)
    done_since_commit = 0
    pool = ThreadPoolExecutor(max(1, options.concurrency), thread_name_prefix="describe")
    try:
        while True:
            while len(pending) < options.concurrency and not summary.stopped:
                subject = next(queue, None)
                if subject is None:
                    break
                summary.stopped = _over_budget(summary, options, pending, subject)
                if summary.stopped:
                    break
                if provider.name != "offline":
                    summary.requests += 1
                pending[pool.submit(provider.write, subject.prompt)] = subject
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                _record(future, pending.pop(future), provider, options, summary)
                progress.advance()
                done_since_commit += 1
            if done_since_commit >= options.batch_size:
                _commit()
                done_since_commit = 0
    except KeyboardInterrupt:
        # Keep the answers already paid for, drop what has not started, and stop
        # without waiting for requests still on the wire.
        for future in [future for future in pending if future.done()]:
            _record(future, pending.pop(future), provider, options, summary)
        pool.shutdown(wait=False, cancel_futures=True)
        _commit()
        summary.stopped = "interrupted"
        raise Interrupted(summary) from None
    pool.shutdown()
    _commit()
    progress.finish()
    return summary


def _commit() -> None:
    """Commit written texts; pages showing them go stale with it."""
    revisions.bump()
    db.session.commit()


def _needing_text(provider: Provider, options: Options, summary: Summary) -> Iterator[Subject]:
    """The subjects to write, in each language, after the cache and the replacing rules."""
    sources = {
        "movies": subjects.movies,
        "people": subjects.people,
        "genres": subjects.genres,
        "jobs": subjects.jobs,
    }
    can_write = getattr(provider, "can_write", None)  # a model writes any language
    for language in options.languages:
        if can_write is not None and not can_write(language):
            summary.unwritable.append(language)
            continue
        for kind in options.kinds:
            found = sources[kind](language, main=options.main_language, limit=options.limit)
            yield from _worth_writing(found, provider, options, summary)


def _worth_writing(
    found: Iterable[Subject], provider: Provider, options: Options, summary: Summary
) -> Iterator[Subject]:
    """Those of `found` with no text yet, a stale one, or one `options` say to replace."""
    for subject in found:
        existing = subject.existing
        if existing is None:
            yield subject
        elif existing.source in (TextSource.tmdb, TextSource.editor):
            continue  # TMDB's own texts and our editors' are never overwritten
        elif existing.source is TextSource.openai and provider.name == "offline":
            summary.kept += 1  # even with --force: only a model replaces a model's text
        elif options.force or (
            options.upgrade_offline
            and existing.source is TextSource.offline
            and provider.name != "offline"
        ):
            yield subject
        elif existing.prompt_hash == subject.prompt.digest:
            summary.cached += 1
        else:
            yield subject  # the facts changed since the text was written


def _over_budget(
    summary: Summary, options: Options, pending: dict[Future[Written], Subject], subject: Subject
) -> str | None:
    """Why the next request must not be sent, if it must not.

    Tokens are known only when an answer arrives, so requests still on the
    wire count at their estimate, and the next one must fit too.
    """
    if summary.fatal:
        return summary.fatal
    if options.max_requests is not None and summary.requests >= options.max_requests:
        return f"the budget of {options.max_requests} requests is spent"
    if options.max_tokens is not None:
        used = summary.tokens_in + summary.tokens_out
        in_flight = sum(_estimate(waiting.prompt) for waiting in pending.values())
        if used + in_flight + _estimate(subject.prompt) > options.max_tokens:
            return f"the budget of {options.max_tokens:,} tokens would be exceeded"
    return None


def _record(
    future: Future[Written],
    subject: Subject,
    provider: Provider,
    options: Options,
    summary: Summary,
) -> None:
    try:
        written = future.result()
        summary.tokens_in += written.tokens_in
        summary.tokens_out += written.tokens_out
        prose = plain_prose(written.body, subject=subject.prompt.subject)
        body = checked(prose, subject.prompt.max_chars)
    except ProviderUnusableError as error:
        summary.failures.append((subject, str(error)))
        summary.fatal = f"the provider cannot be used: {error}"
        return
    except ProviderError as error:
        summary.failures.append((subject, str(error)))
        return
    except Exception as error:  # one broken item must not end the batch
        summary.failures.append((subject, f"{type(error).__name__}: {error}"))
        return
    _store(subject, body, written.model, provider.name, subject.language)
    summary.written[subject.kind] += 1


def checked(body: str, max_chars: int) -> str:
    """The answer trimmed and cut at a sentence end within the limit, or ProviderError."""
    text = "\n\n".join(
        " ".join(paragraph.split()) for paragraph in body.strip().split("\n\n") if paragraph.strip()
    )
    if not text:
        raise ProviderError("the answer was empty")
    ends = [match.end() for match in _SENTENCE_END.finditer(text) if match.end() <= max_chars]
    if not ends:
        raise ProviderError("the answer has no complete sentence within the length limit")
    return text[: ends[-1]].strip()


def _store(subject: Subject, body: str, model: str | None, source: str, language: str) -> None:
    text = subject.existing
    if text is None:
        column = {"movie": "movie_id", "person": "person_id", "genre": "genre_id"}
        key = {column[subject.kind]: subject.key} if subject.kind in column else {}
        text = GeneratedText(crew_job=subject.key if subject.kind == "job" else None, **key)
        db.session.add(text)
    text.body = body
    text.source = TextSource(source)
    text.model = model
    text.language = language
    text.prompt_hash = subject.prompt.digest
    text.created_at = utcnow()


def _estimate(prompt: Prompt) -> int:
    """Tokens a request would cost: about four characters a token in, the limit out."""
    return (len(prompt.system) + len(prompt.user)) // 4 + prompt.max_tokens


def chosen(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds asked for, or all of them."""
    asked = tuple(kind for kind in KINDS if kind in set(kinds))
    return asked or KINDS

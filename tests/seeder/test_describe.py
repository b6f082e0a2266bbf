"""The describe stage: offline writer, the real openai client against a stand-in, cache, budgets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import GeneratedText, TextSource
from seeder.describe import run as describe_run
from seeder.describe.base import ProviderError
from seeder.describe.normalize import plain_prose
from seeder.describe.offline import OfflineWriter
from seeder.describe.openai_provider import OpenAIProvider
from seeder.describe.providers import OpenAIWriter, from_config
from tests.factories import make_cast_credit, make_crew_credit, make_genre, make_movie, make_person
from tests.seeder.openai_server import OpenAIServer, Reply


@pytest.fixture
def catalog(db):
    """Two movies without overviews, their people, a genre and two crew jobs."""
    drama = make_genre("Drama")
    lead = make_person("Ada Lead", known_for_department="Acting", place_of_birth="Lisbon")
    maker = make_person("Bo Maker", known_for_department="Directing")
    first = make_movie("First Light", genres=[drama], overview=None, runtime=101)
    second = make_movie("Second Wind", genres=[drama], overview="", runtime=None)
    make_cast_credit(first, lead, "Hero", order=0)
    make_crew_credit(first, maker, "Director", "Directing")
    make_crew_credit(second, maker, "Director of Photography", "Camera")
    db.session.commit()
    return {"first": first, "second": second, "lead": lead, "maker": maker, "drama": drama}


@pytest.fixture
def openai_server():
    with OpenAIServer() as server:
        yield server


def openai_writer(server, **options) -> OpenAIWriter:
    client = OpenAIProvider(
        api_key="sk-test",
        base_url=server.base_url,
        model="test-model",
        timeout=2.0,
        max_retries=1,
        **options,
    )
    return OpenAIWriter(client)


def texts(db) -> list[GeneratedText]:
    return list(db.session.scalars(select(GeneratedText)))


def test_the_offline_writer_fills_every_missing_text_from_facts_alone(catalog, db):
    summary = describe_run.describe(OfflineWriter(), describe_run.Options())

    assert summary.written == {"movie": 2, "person": 2, "genre": 1, "job": 2}
    assert summary.requests == 0
    first = catalog["first"]
    db.session.refresh(first)
    body = first.generated_text.body
    assert body == (
        "First Light is a drama film from 1999. It was directed by Bo Maker. It stars Ada Lead. "
        "It runs 101 minutes."
    )
    assert first.generated_text.source is TextSource.offline
    lead = catalog["lead"]
    db.session.refresh(lead)
    assert lead.generated_text.body == (
        "Ada Lead is known for acting work in film. Born in Lisbon. "
        "In this catalog: First Light (1999)."
    )
    job = db.session.scalar(select(GeneratedText).where(GeneratedText.crew_job == "Director"))
    assert (
        job.body
        == "Director is a film crew job in the directing department, with 1 credit in this catalog."
    )


def test_each_catalog_language_gets_its_own_text_with_its_own_provenance(catalog, db):
    first, drama = catalog["first"], catalog["drama"]
    first.translations = {"pt-BR": {"title": "Primeira Luz"}}
    drama.translations = {"pt-BR": {"name": "Drama"}}
    db.session.commit()

    summary = describe_run.describe(
        OfflineWriter(), describe_run.Options(languages=("en", "pt-BR"), main_language="en")
    )

    assert summary.written == {"movie": 4, "person": 4, "genre": 2, "job": 4}
    db.session.refresh(first)
    by_language = {text.language: text for text in first.generated_texts}
    assert set(by_language) == {"en", "pt-BR"}
    assert by_language["en"].body.startswith("First Light is a drama film from 1999.")
    assert by_language["pt-BR"].body == (
        "Primeira Luz é um filme de drama lançado em 1999. "
        "A direção é de Bo Maker. No elenco está Ada Lead. Tem 101 minutos de duração."
    )
    assert all(text.source is TextSource.offline for text in by_language.values())
    lead = catalog["lead"]
    db.session.refresh(lead)
    portuguese = next(text for text in lead.generated_texts if text.language == "pt-BR")
    assert portuguese.body == (
        "No cinema, o trabalho de Ada Lead está ligado sobretudo à atuação. Nasceu em Lisbon. "
        "Neste catálogo: Primeira Luz (1999)."
    )


def test_a_tmdb_overview_in_one_language_leaves_only_the_other_to_write(catalog, db):
    first = catalog["first"]
    first.overview = "TMDB's English overview."
    first.translations = {"pt-BR": {"title": "Primeira Luz"}}
    catalog["second"].translations = {"pt-BR": {"overview": "A sinopse do TMDB."}}
    db.session.commit()

    describe_run.describe(
        OfflineWriter(),
        describe_run.Options(kinds=("movies",), languages=("en", "pt-BR"), main_language="en"),
    )

    written = {(text.movie_id, text.language) for text in texts(db)}
    assert written == {(first.id, "pt-BR"), (catalog["second"].id, "en")}


def test_a_language_the_offline_writer_lacks_is_said_and_skipped(catalog, db):
    summary = describe_run.describe(
        OfflineWriter(), describe_run.Options(languages=("en", "de"), main_language="en")
    )

    assert {text.language for text in texts(db)} == {"en"}
    assert summary.unwritable == ["de"]
    assert "offline cannot write de: nothing was written in it." in summary.lines(
        provider="offline", dry_run=False
    )


def test_flask_seed_describe_writes_every_catalog_language_or_the_one_asked(catalog, runner, db):
    only = runner.invoke(args=["seed", "describe", "--provider", "offline", "--language", "pt-BR"])
    assert only.exit_code == 0, only.output
    assert {text.language for text in texts(db)} == {"pt-BR"}

    both = runner.invoke(args=["seed", "describe", "--provider", "offline"])
    assert both.exit_code == 0, both.output
    assert {text.language for text in texts(db)} == {"en", "pt-BR"}

    unknown = runner.invoke(args=["seed", "describe", "--provider", "offline", "--language", "fr"])
    assert unknown.exit_code == 2
    assert "'fr' is not one of CATALOG_LANGUAGES (en, pt-BR)" in unknown.output


def test_written_texts_make_catalog_pages_stale(catalog, db):
    from app.services import revisions

    before = revisions.current().number
    describe_run.describe(OfflineWriter(), describe_run.Options())

    assert revisions.current().number > before


def test_a_second_run_with_unchanged_facts_does_nothing(catalog, db):
    describe_run.describe(OfflineWriter(), describe_run.Options())
    again = describe_run.describe(OfflineWriter(), describe_run.Options())

    assert sum(again.written.values()) == 0
    assert again.cached == 7


def test_changed_facts_rewrite_a_generated_text(catalog, db):
    describe_run.describe(OfflineWriter(), describe_run.Options(kinds=("movies",)))
    catalog["second"].runtime = 95
    db.session.commit()

    again = describe_run.describe(OfflineWriter(), describe_run.Options(kinds=("movies",)))

    assert again.written == {"movie": 1}
    assert "It runs 95 minutes." in catalog["second"].generated_text.body


def test_tmdb_texts_are_never_overwritten(catalog, db):
    db.session.add(
        GeneratedText(
            genre=catalog["drama"], body="Editors' words.", source=TextSource.tmdb, language="en"
        )
    )
    db.session.commit()

    describe_run.describe(OfflineWriter(), describe_run.Options(kinds=("genres",), force=True))

    db.session.refresh(catalog["drama"])
    assert catalog["drama"].generated_text.body == "Editors' words."


def test_an_editors_texts_are_never_overwritten_even_by_a_model(catalog, db, openai_server):
    from app.services import edits
    from tests.factories import make_editor

    editor = make_editor()
    edits.update_genre(
        genre=catalog["drama"],
        editor=editor,
        values={"description": "Written by hand."},
        version=1,
    )
    edits.update_job(
        job="Director", editor=editor, values={"description": "Runs the set."}, version=0
    )
    db.session.commit()

    describe_run.describe(
        openai_writer(openai_server), describe_run.Options(kinds=("genres", "jobs"), force=True)
    )

    db.session.refresh(catalog["drama"])
    assert catalog["drama"].generated_text.body == "Written by hand."
    director = db.session.scalar(select(GeneratedText).where(GeneratedText.crew_job == "Director"))
    assert (director.body, director.source) == ("Runs the set.", TextSource.editor)


def test_the_real_client_writes_with_facts_and_language_then_caches(catalog, db, openai_server):
    writer = openai_writer(openai_server)
    options = describe_run.Options(kinds=("movies",), languages=("pt-BR",))

    summary = describe_run.describe(writer, options)

    assert summary.written == {"movie": 2}
    assert summary.requests == 2
    assert summary.tokens_in > 0
    assert summary.tokens_out > 0
    bodies = [request.body for request in openai_server.requests]
    first = next(b for b in bodies if "First Light" in b["messages"][1]["content"])
    assert first["model"] == "test-model"
    assert "pt-BR" in first["messages"][0]["content"]
    for fact in (
        "Subject: First Light",
        "Genres: Drama",
        "Directed by: Bo Maker",
        "Starring: Ada Lead",
        "Runtime: 101 minutos",
    ):
        assert fact in first["messages"][1]["content"]
    text = catalog["first"].generated_text
    assert (text.source, text.model, text.language) == (TextSource.openai, "test-model", "pt-BR")
    assert text.prompt_hash

    again = describe_run.describe(writer, options)

    assert again.requests == 0
    assert len(openai_server.requests) == 2
    assert again.cached == 2


def test_a_failed_item_is_listed_and_the_rest_is_saved(catalog, db, openai_server):
    openai_server.script(Reply.empty())
    writer = openai_writer(openai_server)

    summary = describe_run.describe(writer, describe_run.Options(kinds=("movies",), concurrency=1))

    assert summary.written == {"movie": 1}
    ((subject, reason),) = summary.failures
    assert subject.kind == "movie"
    assert "empty" in reason
    lines = summary.lines(provider="openai", dry_run=False)
    assert "1 failed (the rest was saved):" in lines


def test_budgets_stop_the_run_cleanly(catalog, db, openai_server):
    writer = openai_writer(openai_server)

    summary = describe_run.describe(
        writer, describe_run.Options(kinds=("people",), max_requests=1, concurrency=1)
    )

    assert summary.requests == 1
    assert len(openai_server.requests) == 1
    assert "budget of 1 requests" in summary.stopped
    assert sum(summary.written.values()) == 1


def test_the_offline_writer_keeps_a_models_text(catalog, db, openai_server):
    describe_run.describe(openai_writer(openai_server), describe_run.Options(kinds=("genres",)))
    catalog["drama"].movies.append(make_movie("Third", overview="x"))
    db.session.commit()

    summary = describe_run.describe(OfflineWriter(), describe_run.Options(kinds=("genres",)))

    assert summary.kept == 1
    assert catalog["drama"].generated_text.source is TextSource.openai


def test_upgrade_offline_replaces_offline_texts_with_a_models(catalog, db, openai_server):
    describe_run.describe(OfflineWriter(), describe_run.Options(kinds=("genres",)))

    plain = describe_run.describe(
        openai_writer(openai_server), describe_run.Options(kinds=("genres",))
    )
    upgraded = describe_run.describe(
        openai_writer(openai_server), describe_run.Options(kinds=("genres",), upgrade_offline=True)
    )

    assert plain.written == {}
    assert upgraded.written == {"genre": 1}
    assert catalog["drama"].generated_text.source is TextSource.openai


# How local models answer: markdown, chatter, reasoning; two leave no prose at all.
MARKDOWN_ANSWERS = {
    "First Light": "Sure! Here is a short description of {subject}:\n\n## Description\n\n"
    "**{subject}** is a *drama* from 1999, directed by Bo Maker.\n\nI hope this helps!",
    "Second Wind": '```text\n"{subject} is a drama filmed by Bo Maker\'s camera crew."\n```',
    "Ada Lead": "<think>The facts say Lisbon.</think>\n"
    "**Biography:** {subject} is an actor born in Lisbon, known for `First Light`.",
    "Bo Maker": "- {subject} directs films for the screen\n- He made First Light in 1999.",
    "Director": "> The director leads the [creative work](https://example.com/directing) of a "
    "film.\n\nLet me know if you'd like any changes.",
    "Drama": "Sure! Here you go:",
    "Director of Photography": "- Department: Camera\n- Credits: 1",
}


def test_markdown_answers_are_stored_as_plain_prose_and_empty_ones_refused(catalog, db):
    with OpenAIServer(answers=MARKDOWN_ANSWERS) as server:
        summary = describe_run.describe(openai_writer(server), describe_run.Options())

    assert summary.written == {"movie": 2, "person": 2, "job": 1}
    stored = {_subject_of(text): text.body for text in texts(db)}
    assert stored == {
        "First Light": "First Light is a drama from 1999, directed by Bo Maker.",
        "Second Wind": "Second Wind is a drama filmed by Bo Maker's camera crew.",
        "Ada Lead": "Ada Lead is an actor born in Lisbon, known for First Light.",
        "Bo Maker": "Bo Maker directs films for the screen. He made First Light in 1999.",
        "Director": "The director leads the creative work of a film.",
    }
    for body in stored.values():
        assert not any(mark in body for mark in ("#", "**", "`", "Sure", "think", "](")), body
    failures = {subject.prompt.subject: reason for subject, reason in summary.failures}
    assert failures == {
        "Drama": "the answer had no text once its markdown and chatter were taken out",
        "Director of Photography": "the answer was a list of short facts, not prose",
    }
    lines = summary.lines(provider="openai", dry_run=False)
    assert "2 failed (the rest was saved):" in lines
    assert f"  genre Drama: {failures['Drama']}" in lines


def _subject_of(text: GeneratedText) -> str | None:
    """What a stored text is about: the movie's title, the person's, genre's or job's name."""
    if text.movie:
        return text.movie.title
    owner = text.person or text.genre
    return owner.name if owner else text.crew_job


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("  One sentence.  ", "One sentence."),
        ("First. Second is cut mid", "First."),
        ("Wrapped\n  lines here.\n\nNew paragraph.", "Wrapped lines here.\n\nNew paragraph."),
    ],
)
def test_answers_are_trimmed_at_a_sentence_end(answer, kept):
    assert describe_run.checked(answer, 600) == kept


@pytest.mark.parametrize("answer", ["", "   ", "no sentence end at all", "x" * 700 + "."])
def test_answers_without_a_sentence_in_the_limit_are_refused(answer):
    with pytest.raises(ProviderError):
        describe_run.checked(answer, 600)


def test_the_provider_is_openai_when_configured(app):
    assert from_config({"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None}).name == "offline"
    configured = {"OPENAI_API_KEY": "sk", "OPENAI_BASE_URL": None, "OPENAI_MODEL": "m"}
    assert from_config(configured).name == "openai"
    with pytest.raises(ProviderError, match="needs OPENAI_API_KEY"):
        from_config({"OPENAI_API_KEY": None}, "openai")


def test_flask_seed_describe_offline_then_a_dry_run(catalog, runner):
    written = runner.invoke(args=["seed", "describe", "--provider", "offline"])
    dry = runner.invoke(args=["seed", "describe", "--provider", "offline", "--force", "--dry-run"])

    assert written.exit_code == 0, written.output
    # Each subject in English and in Portuguese (CATALOG_LANGUAGES).
    assert "Wrote 14 texts with offline" in written.output
    assert "Usage: 0 requests" in written.output
    assert dry.exit_code == 0, dry.output
    assert "Would write 14 texts with offline" in dry.output
    assert "tokens" in dry.output


def test_flask_seed_describe_through_the_real_client(
    catalog, runner, app, openai_server, monkeypatch
):
    monkeypatch.setitem(app.config, "OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setitem(app.config, "OPENAI_API_KEY", "sk-test")

    first = runner.invoke(args=["seed", "describe", "--genres", "--jobs"])
    second = runner.invoke(args=["seed", "describe", "--genres", "--jobs"])

    assert first.exit_code == 0, first.output
    assert "Wrote 6 texts with openai (gpt-4o-mini)" in first.output  # in en and pt-BR
    assert "Usage: 6 requests" in first.output
    assert "Usage: 0 requests" in second.output
    assert len(openai_server.requests) == 6


def test_pages_label_ai_text_with_its_model(catalog, client, db, openai_server):
    describe_run.describe(openai_writer(openai_server), describe_run.Options())
    movie, person, genre = catalog["first"], catalog["lead"], catalog["drama"]

    for url in (
        f"/movies/{movie.id}-{movie.slug}",
        f"/people/{person.id}-{person.slug}",
        f"/genres/{genre.slug}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "AI-generated" in page, url
        assert "test-model" in page, url


def missing_texts(db, languages=("en", "pt-BR")) -> dict[str, int]:
    """Subjects that should have a generated text in each language and have none."""
    from sqlalchemy import func, or_

    from app.models import Credit, CreditKind, Genre, Movie, Person

    def count(query) -> int:
        return db.session.scalar(select(func.count()).select_from(query.subquery()))

    def tmdb_text(model, field, language):
        if language == "en":
            return getattr(model, field)
        return model.translations[(language, field)].as_string()

    missing = {"movies": 0, "people": 0, "genres": 0, "jobs": 0}
    for language in languages:
        written = GeneratedText.language == language
        overview, biography = (
            tmdb_text(Movie, "overview", language),
            tmdb_text(Person, "biography", language),
        )
        described = select(GeneratedText.crew_job).where(
            GeneratedText.crew_job.is_not(None), written
        )
        missing["movies"] += count(
            select(Movie.id).where(
                or_(overview.is_(None), overview == ""), ~Movie.generated_texts.any(written)
            )
        )
        missing["people"] += count(
            select(Person.id).where(
                or_(biography.is_(None), biography == ""), ~Person.generated_texts.any(written)
            )
        )
        missing["genres"] += count(select(Genre.id).where(~Genre.generated_texts.any(written)))
        missing["jobs"] += count(
            select(Credit.job)
            .where(
                Credit.kind == CreditKind.crew,
                Credit.job.is_not(None),
                Credit.job.not_in(described),
            )
            .distinct()
        )
    return missing


def test_on_the_sample_the_offline_writer_fills_every_missing_text(runner, db):
    from seeder.describe import subjects

    assert runner.invoke(args=["seed", "sample"]).exit_code == 0
    assert sum(missing_texts(db).values()) > 0
    for kind in describe_run.KINDS:  # its texts are plain already: normalizing changes nothing
        for subject in getattr(subjects, kind)("en"):
            body = OfflineWriter().write(subject.prompt).body
            assert plain_prose(body, subject=subject.prompt.subject) == body

    result = runner.invoke(args=["seed", "describe", "--provider", "offline"])

    assert result.exit_code == 0, result.output
    assert missing_texts(db) == {"movies": 0, "people": 0, "genres": 0, "jobs": 0}


def test_on_the_sample_the_real_client_fills_them_and_a_rerun_asks_nothing(
    runner, db, app, openai_server, monkeypatch
):
    monkeypatch.setitem(app.config, "OPENAI_BASE_URL", openai_server.base_url)
    assert runner.invoke(args=["seed", "sample"]).exit_code == 0
    wanted = sum(missing_texts(db).values())

    first = runner.invoke(args=["seed", "describe", "--concurrency", "8"])
    asked = len(openai_server.requests)
    second = runner.invoke(args=["seed", "describe"])

    assert first.exit_code == 0, first.output
    assert missing_texts(db) == {"movies": 0, "people": 0, "genres": 0, "jobs": 0}
    assert asked == wanted
    assert len(openai_server.requests) == asked  # the second run made no request
    assert "Usage: 0 requests" in second.output


@pytest.mark.parametrize("url", ["http://localhost:11434x/v1", "localhost:11434/v1", "ftp://x/v1"])
def test_a_base_url_that_cannot_work_is_a_clean_error(runner, app, monkeypatch, url):
    monkeypatch.setitem(app.config, "OPENAI_BASE_URL", url)

    result = runner.invoke(args=["seed", "describe", "--genres", "--dry-run"])

    assert result.exit_code == 1
    assert "OPENAI_BASE_URL cannot be used" in result.output
    assert "Traceback" not in result.output


def test_the_token_budget_holds_with_requests_in_flight(catalog, db, openai_server):
    from seeder.describe import subjects

    writer = openai_writer(openai_server)
    first = next(subjects.people("en"))
    budget = describe_run._estimate(first.prompt) + 10  # room for one request, not for two

    summary = describe_run.describe(
        writer, describe_run.Options(kinds=("people",), max_tokens=budget, concurrency=4)
    )

    assert summary.requests == 1
    assert summary.tokens_in + summary.tokens_out <= budget
    assert "would be exceeded" in summary.stopped


def test_a_refused_key_stops_the_run_after_one_failure(catalog, db):
    with OpenAIServer(api_key="the-right-key") as server:
        writer = openai_writer(server)  # sends sk-test
        summary = describe_run.describe(writer, describe_run.Options(concurrency=1))

    assert summary.requests == 1
    assert len(summary.failures) == 1
    assert "cannot be used" in summary.fatal


def test_force_with_the_offline_writer_keeps_a_models_text(catalog, db, openai_server):
    describe_run.describe(openai_writer(openai_server), describe_run.Options(kinds=("genres",)))

    summary = describe_run.describe(
        OfflineWriter(), describe_run.Options(kinds=("genres",), force=True)
    )

    assert summary.kept == 1
    assert catalog["drama"].generated_text.source is TextSource.openai


@pytest.mark.parametrize(
    ("kind", "subject", "facts", "expected"),
    [
        (
            "person",
            "Nobody Known",
            {"Died": "1950-01-01"},
            "Nobody Known has credits in this catalog. Died on 1 January 1950.",
        ),
        (
            "person",
            "Ada",
            {"Born": "1928-07-26"},
            "Ada has credits in this catalog. Born on 26 July 1928.",
        ),
        (
            "genre",
            "Documentary",
            {"Movies in this catalog": 0},
            "Documentary is a film genre; this catalog has no documentary movies yet.",
        ),
        ("movie", "Plain", {}, "Plain is a film."),
        (
            "movie",
            "Telly",
            {"Genres": ["TV Movie"], "Year": 1990},
            "Telly is a TV movie film from 1990.",
        ),
        (
            "job",
            "Novel",
            {"Department": "Writing", "Credits in this catalog": 3},
            "Novel is a credit for source material in the writing department, "
            "with 3 credits in this catalog.",
        ),
    ],
)
def test_the_offline_writer_on_thin_data(kind, subject, facts, expected):
    from seeder.describe.base import Prompt

    assert OfflineWriter().write(Prompt(kind, subject, facts)).body == expected


def test_the_portuguese_writer_writes_dates_as_brazil_does():
    from seeder.describe import offline_pt

    text = offline_pt.person("Ada", {"Born": "1928-07-01", "Died": "1999-12-26"})
    assert "Nasceu em 1º de julho de 1928." in text
    assert "Morreu em 26 de dezembro de 1999." in text

"""The offline writer: plain sentences composed only from the stored facts.

It needs no network and invents nothing: every clause states one fact of the
prompt, and a fact that is missing is left out rather than guessed. It writes
English and Portuguese (offline_pt.py); other languages are left to a model.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .base import Prompt, Written


def join_names(items: list[str], conjunction: str = "and") -> str:
    """'A, B and C': a list in a sentence, with the language's word for "and"."""
    items = [str(item) for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class OfflineWriter:
    """Writes factual texts from the prompt's facts alone."""

    name = "offline"

    @property
    def model(self) -> str | None:
        """No model: the text is composed, not generated."""
        return None

    @staticmethod
    def can_write(language: str) -> bool:
        """English ("en", "en-GB"…) and Portuguese ("pt-BR", "pt"…)."""
        return language.split("-")[0] in ("en", "pt")

    def write(self, prompt: Prompt) -> Written:
        """One paragraph for the prompt's subject, in the prompt's language."""
        from . import offline_pt  # it builds on this module's helpers

        composers = offline_pt.COMPOSERS if prompt.language.startswith("pt") else COMPOSERS
        compose = composers[prompt.kind]
        return Written(body=compose(prompt.subject, prompt.facts), model=None)


# TMDB files the source of a screenplay as a writing "job" (Novel, Play…):
# these are credits for source material, not jobs someone does on the film.
SOURCE_CREDITS = frozenset(
    {
        "Novel",
        "Book",
        "Short Story",
        "Play",
        "Comic Book",
        "Story",
        "Characters",
        "Author",
        "Original Story",
        "Graphic Novel",
        "Idea",
        "Original Concept",
    }
)
_KEEP_CASE = {"TV Movie": "TV movie"}


def _genre_word(name: str) -> str:
    return _KEEP_CASE.get(name, name.lower())


def _date(value: str) -> str:
    """An ISO date as 26 July 1928."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{parsed.day} {parsed.strftime('%B %Y')}"


def _movie(title: str, facts: dict[str, Any]) -> str:
    genres = [_genre_word(genre) for genre in facts.get("Genres") or []]
    kind = f"{join_names(genres)} film" if genres else "film"
    year = facts.get("Year")
    sentences = [f"{title} is {_article(kind)} {kind}" + (f" from {year}." if year else ".")]
    if facts.get("Original title"):
        sentences.append(f"Its original title is {facts['Original title']}.")
    if facts.get("Directed by"):
        sentences.append(f"It was directed by {join_names(facts['Directed by'])}.")
    if facts.get("Starring"):
        sentences.append(f"It stars {join_names(facts['Starring'])}.")
    if facts.get("Runtime"):
        sentences.append(f"It runs {facts['Runtime']}.")
    return " ".join(sentences)


def _person(name: str, facts: dict[str, Any]) -> str:
    department = facts.get("Known for")
    sentences = [
        f"{name} is known for {department.lower()} work in film."
        if department
        else f"{name} has credits in this catalog."
    ]
    born, place = facts.get("Born"), facts.get("Place of birth")
    if born and place:
        sentences.append(f"Born on {_date(born)} in {place}.")
    elif born:
        sentences.append(f"Born on {_date(born)}.")
    elif place:
        sentences.append(f"Born in {place}.")
    if facts.get("Died"):
        sentences.append(f"Died on {_date(facts['Died'])}.")
    if facts.get("Films in this catalog"):
        sentences.append(f"In this catalog: {join_names(facts['Films in this catalog'])}.")
    return " ".join(sentences)


def _genre(name: str, facts: dict[str, Any]) -> str:
    count = facts.get("Movies in this catalog") or 0
    if not count:
        return f"{name} is a film genre; this catalog has no {_genre_word(name)} movies yet."
    noun = "movie" if count == 1 else "movies"
    sentences = [f"{name} is a film genre with {count:,} {noun} in this catalog."]
    if facts.get("Best known"):
        sentences.append(f"Among the best known are {join_names(facts['Best known'])}.")
    return " ".join(sentences)


def _job(job: str, facts: dict[str, Any]) -> str:
    department = facts.get("Department")
    count = facts.get("Credits in this catalog") or 0
    noun = "credit" if count == 1 else "credits"
    where = f" in the {department.lower()} department" if department else ""
    what = "a credit for source material" if job in SOURCE_CREDITS else "a film crew job"
    return f"{job} is {what}{where}, with {count:,} {noun} in this catalog."


COMPOSERS = {"movie": _movie, "person": _person, "genre": _genre, "job": _job}

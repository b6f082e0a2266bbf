"""What every description provider shares: the answer, the error, the prompt."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Written:
    """A text a provider wrote, with what it cost."""

    body: str
    model: str | None
    tokens_in: int = 0
    tokens_out: int = 0


class ProviderError(Exception):
    """A text could not be written; the message says why (safe to print)."""


class ProviderUnusableError(ProviderError):
    """No text can be written at all (wrong key, unknown model, server unreachable): stop."""


@dataclass(frozen=True)
class Prompt:
    """What to write about one subject: its kind, its facts, the language and the length."""

    kind: str  # movie, person, genre or job
    subject: str
    facts: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    max_chars: int = 600

    @property
    def system(self) -> str:
        """The standing instructions."""
        grounding = (
            "You may explain the craft or the genre in general terms, but name no films, "
            "people, dates or numbers beyond the facts given."
            if self.kind in ("genre", "job")
            else "Use only the facts given; add no other facts, names, dates or numbers."
        )
        return (
            f"You write short, neutral reference texts for a movie catalog. {grounding} Never "
            f"reveal plot twists or endings. Write in the language with the code "
            f"{self.language}. Answer with the text alone, in at most {self.max_chars} "
            "characters, ending with a full sentence."
        )

    @property
    def user(self) -> str:
        """The request with its facts, one a line."""
        asks = {
            "movie": "Describe this movie in a short paragraph.",
            "person": "Write a short biography of this person.",
            "genre": "Describe this film genre in a short paragraph.",
            "job": "Explain in a short paragraph what this film crew job involves.",
        }
        lines = [asks[self.kind], f"Subject: {self.subject}"]
        lines += [f"{name}: {_fact(value)}" for name, value in self.facts.items() if value]
        return "\n".join(lines)

    @property
    def digest(self) -> str:
        """Hash of everything the answer depends on: a changed fact makes a new text."""
        text = "\n".join([self.system, self.user])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def max_tokens(self) -> int:
        """A token budget for the answer (about four characters a token, with room)."""
        return self.max_chars // 3 + 20


def _fact(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


class Provider(Protocol):
    """Writes a text for a prompt."""

    name: str

    @property
    def model(self) -> str | None:
        """The model's name, for provenance; None for the offline writer."""

    def write(self, prompt: Prompt) -> Written:
        """The text for a prompt, or ProviderError."""

"""Catalog texts per language: the reader's language, with the catalog's own as fallback.

A movie's, person's or genre's own columns (title, overview, biography, name)
hold the catalog's main language, the first of CATALOG_LANGUAGES; the other
languages' texts sit beside them in a `translations` column, loaded with the
row, so a page in Portuguese runs the same queries as one in English:

    {"pt-BR": {"title": "O Poderoso Chefão", "overview": "…", "tagline": "…"}}

Which language a reader wants is the app's business (app/infra/i18n.py): it
registers a function here, so the models stay free of Flask.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column


@dataclass(frozen=True)
class Languages:
    """The language a reader wants and the catalog's main one ("pt-BR", "en")."""

    wanted: str
    main: str


_ENGLISH_ONLY = Languages(wanted="en", main="en")
_languages: Callable[[], Languages] = lambda: _ENGLISH_ONLY  # noqa: E731


def use_languages(source: Callable[[], Languages]) -> None:
    """Register where the reader's language comes from (the app does, at start)."""
    global _languages
    _languages = source


def languages() -> Languages:
    """The reader's language and the catalog's main one, as the registered source says."""
    return _languages()


def sort_key(text: str) -> str:
    """A text as readers sort it: case and accents aside ("Ação" among the a's)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def translation_in(
    translations: dict[str, dict[str, str]] | None, language: str | None, field: str
) -> str | None:
    """`field` of a `translations` mapping in `language`, or None when it has none."""
    if not language:
        return None
    return ((translations or {}).get(language) or {}).get(field) or None


def translated(own: str, translations: dict[str, dict[str, str]] | None, field: str) -> str:
    """`own` in the reader's language from a translations mapping, else `own` itself."""
    chosen = languages()
    if chosen.wanted == chosen.main:
        return own
    return translation_in(translations, chosen.wanted, field) or own


@dataclass(frozen=True)
class LocalText:
    """A text and the language it is written in (the reader's, or the fallback's)."""

    text: str
    language: str

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ShownText:
    """The text a page shows for a field: TMDB's (or an editor's) or a generated one."""

    body: str
    language: str
    generated: Any = None  # the GeneratedText shown, with its provenance; None for TMDB's


class Translated:
    """A `translations` column and the reader's-language view of the entity's texts."""

    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )

    def localized(self, field: str, language: str | None = None) -> LocalText:
        """`field` in `language` (the reader's by default), else in the catalog's main language."""
        chosen = languages()
        wanted = language or chosen.wanted
        if wanted != chosen.main:
            translated = self.translation(wanted, field)
            if translated:
                return LocalText(translated, wanted)
        return LocalText(getattr(self, field) or "", chosen.main)

    def translation(self, language: str, field: str) -> str | None:
        """The stored translation of `field` into `language`, or None."""
        return translation_in(self.translations, language, field)

    def set_translations(self, texts: dict[str, dict[str, Any]]) -> None:
        """Replace the stored translations, keeping only non-empty texts."""
        kept = {
            language: {field: value for field, value in fields.items() if value}
            for language, fields in texts.items()
        }
        self.translations = {language: fields for language, fields in kept.items() if fields}

    def shown_text(self, field: str) -> ShownText | None:
        """What to show for `field` (overview, biography): the reader's language first.

        TMDB's own text in the reader's language, then one a model or an editor
        wrote in it, then TMDB's in the catalog's main language; a text the
        offline writer composed from the facts only comes after those (a real
        synopsis in English tells a reader more than a list of facts in
        Portuguese), then any generated text at all.
        """
        chosen = languages()
        generated = {text.language: text for text in getattr(self, "generated_texts", None) or []}
        reader = generated.get(chosen.wanted)

        def own(language: str) -> ShownText | None:
            text = (
                getattr(self, field)
                if language == chosen.main
                else self.translation(language, field)
            )
            return ShownText(text, language) if text else None

        def written(text: Any) -> ShownText | None:
            return ShownText(text.body, text.language, text) if text is not None else None

        candidates = (
            lambda: own(chosen.wanted),
            lambda: written(reader) if reader is not None and not reader.is_composed else None,
            lambda: own(chosen.main),
            lambda: written(reader),
            lambda: written(generated.get(chosen.main)),
            lambda: written(next(iter(generated.values()), None)),
        )
        return next((shown for candidate in candidates if (shown := candidate())), None)

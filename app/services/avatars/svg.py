"""The generated avatar: a name's initials in white on a colour picked from the name."""

from __future__ import annotations

import unicodedata

from ...infra.placeholders import seeded, xml_text

# Dark enough that white initials on them reach a contrast of at least 4.5:1 (WCAG AA).
PLACEHOLDER_COLOURS = (
    "#B71C1C",
    "#880E4F",
    "#4A148C",
    "#311B92",
    "#1A237E",
    "#0D47A1",
    "#01579B",
    "#006064",
    "#004D40",
    "#1B5E20",
    "#33691E",
    "#BF360C",
    "#3E2723",
    "#37474F",
)


def initials(name: str) -> str:
    """One or two capital letters for a name: first and last word, or one for a single word."""
    name = unicodedata.normalize("NFC", name)
    words = _words(name)
    if not words:
        first = _first_character(name.strip())
        return _capital(first) if first else "?"
    letters = [_first_character(words[0])]
    if len(words) > 1:
        letters.append(_first_character(words[-1]))
    return "".join(_capital(letter) for letter in letters)


def _words(text: str) -> list[str]:
    """Runs of letters and digits, with their combining marks (the vowel signs of many scripts)."""
    words: list[str] = []
    current = ""
    for character in text:
        if character.isalnum() or (current and unicodedata.category(character)[0] == "M"):
            current += character
        elif current:
            words.append(current)
            current = ""
    return [*words, current] if current else words


def _first_character(text: str) -> str:
    """The first character with the combining marks that belong to it."""
    end = 1
    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Mc", "Me"):
        end += 1
    return text[:end]


def _capital(letter: str) -> str:
    # Some capitals are longer than their letter ("ß" gives "SS"): keep the letter then.
    upper = letter.upper()
    return upper if len(upper) == len(letter) else letter


def placeholder_colour(name: str) -> str:
    """The background colour of a name's placeholder; the same name always gets the same."""
    key = unicodedata.normalize("NFC", name).strip().casefold()
    return PLACEHOLDER_COLOURS[seeded(key) % len(PLACEHOLDER_COLOURS)]


def placeholder_svg(name: str, size: int = 256) -> str:
    """A standalone SVG avatar: the name's initials in white on a colour drawn from the name."""
    if type(size) is not int or size <= 0:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    label = xml_text(name.strip()) or "Avatar"
    letters = xml_text(initials(name))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{label}">'
        f'<rect width="100" height="100" fill="{placeholder_colour(name)}"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#FFFFFF" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="42" font-weight="600">{letters}</text>'
        "</svg>"
    )

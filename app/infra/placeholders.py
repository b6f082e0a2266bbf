"""Designed placeholders as SVG: a poster for a film, a card for a person, without a picture.

Nothing here reads the database: callers pass the facts (a title, the year,
the directors and genre slugs; a name and a department) and get back a
self-contained SVG document. SVG text does not wrap, so the layout is done
here: each character's advance is estimated from its class (narrow, wide,
East Asian full width, combining), on the generous side, so the glyphs of
whatever sans-serif font the viewer's system picks still land in the frame.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from markupsafe import escape

WIDTH, HEIGHT = 200, 300
MARGIN = 16
TEXT_WIDTH = WIDTH - 2 * MARGIN
AA_CONTRAST = 4.5  # WCAG AA for normal-size text; every text here meets it
LINE_HEIGHT = 1.12
TITLE_SIZES = (48, 40, 34, 29, 25, 22, 19, 17, 15, 13)
NAME_SIZES = (30, 26, 22, 19, 17, 15, 13)
CREDIT_SIZES = (12.5, 11.5, 10.5)
YEAR_SIZE, YEAR_SPACING = 15.0, 2.5
DEPARTMENT_SIZE, DEPARTMENT_SPACING = 11.5, 1.6
# Most lines a broken-up word may take before a smaller size is preferred.
BROKEN_WORD_LINES = 4
FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, "
    "'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', 'Malgun Gothic', 'Apple SD Gothic Neo', "
    "'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans Devanagari', sans-serif"
)
LIGHT_INK, DARK_INK = "#ffffff", "#15120e"
BLACK, WHITE = "#000000", "#ffffff"

# Genre slugs, most telling first: a film is drawn in its first two known genres.
GENRE_COLOURS = {
    "horror": "#6b0f14",  # dried blood
    "science-fiction": "#0c2a66",  # deep space blue
    "animation": "#ffc83d",  # bright, with dark ink
    "western": "#9a4a1c",  # desert sienna
    "war": "#4b5320",  # olive drab
    "documentary": "#e8e1d3",  # newsprint, with dark ink
    "music": "#9b1b8f",  # stage magenta
    "fantasy": "#4b2489",  # violet
    "family": "#7cc4f4",  # sky, with dark ink
    "romance": "#a3274f",  # rose
    "mystery": "#1d3f4f",  # midnight teal
    "crime": "#23272e",  # gunmetal
    "history": "#6f4a25",  # sepia
    "thriller": "#2a2340",  # bruise
    "comedy": "#ff8c61",  # coral, with dark ink
    "adventure": "#1f6b4a",  # jungle green
    "action": "#b3361e",  # explosion orange-red
    "tv-movie": "#3d4a5c",  # cathode grey-blue
    "drama": "#4c2a3f",  # plum
}
# TMDB's departments (people.DEPARTMENTS) and the colour of each.
DEPARTMENT_COLOURS = {
    "Acting": "#7b2d43",  # curtain velvet
    "Directing": "#1d3b5c",
    "Writing": "#2f4a3a",
    "Production": "#4a3b6b",
    "Sound": "#0e5a63",
    "Camera": "#3a3f47",
    "Editing": "#6b3e1e",
    "Art": "#8a3b12",
    "Costume & Make-Up": "#7a2f6b",
    "Visual Effects": "#173f73",
    "Crew": "#44474f",
    "Lighting": "#f2c14e",  # with dark ink
}

# Characters XML 1.0 allows; anything else makes the document invalid even when escaped.
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The drawing's own source: a change to it gives every placeholder a new URL.
_DESIGN = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]

# Advances in em, for a bold sans-serif: DejaVu Sans Bold, the widest common
# one, is about these; narrower fonts only leave more room.
_NARROW = frozenset("iljI.,:;'!|`ıíìîï")
_SEMI_NARROW = frozenset('frt()[]{}-‐/\\"*’‘“”´')
_EXTRA_WIDE = frozenset("MWmwŒœÆæ@%ЖШЩЮФМжшщюфм")
_CLOSING = frozenset("、。，．・：；？！）」』】〕〉》ー…〜ゃゅょっャュョッぁぃぅぇぉァィゥェォ")


@dataclass(frozen=True)
class Drawn:
    """An SVG document and the digest that its URL carries."""

    svg: str
    digest: str


@dataclass(frozen=True)
class Lines:
    """Text set at one size on one or more lines, and how it is drawn."""

    size: float
    lines: tuple[str, ...]
    weight: int = 700
    spacing: float = 0.0
    leading: float = LINE_HEIGHT

    @property
    def height(self) -> float:
        """From the first line's top to the last line's descenders."""
        if not self.lines:
            return 0.0
        return (len(self.lines) - 1) * self.size * self.leading + self.size * 1.1


@dataclass(frozen=True)
class Background:
    """A background's gradient stops and the ink that reads on every part of it."""

    stops: tuple[str, str]
    ink: str

    @property
    def shade(self) -> str:
        """What decorations are drawn in: away from the ink, so text contrast only grows."""
        return BLACK if self.ink == LIGHT_INK else WHITE


# Measuring and wrapping ---------------------------------------------------


@lru_cache(maxsize=8192)
def advance(character: str) -> float:
    """A character's estimated advance, in em."""
    if unicodedata.category(character) in ("Mn", "Me", "Cf") or unicodedata.combining(character):
        return 0.0
    if unicodedata.east_asian_width(character) in ("W", "F"):
        return 1.0  # a full-width glyph: about two narrow letters
    if character.isspace():
        return 0.35
    if character in _NARROW:
        return 0.38
    if character in _SEMI_NARROW:
        return 0.5
    if character in _EXTRA_WIDE:
        return 1.1
    if unicodedata.category(character) == "Mc":
        return 0.4
    if character.isupper():
        return 0.82
    return 0.72


def text_width(text: str, size: float, *, spacing: float = 0.0) -> float:
    """The estimated width of `text` set at `size`, with `spacing` between letters."""
    return sum(advance(character) for character in text) * size + spacing * max(len(text) - 1, 0)


def _is_wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


def _pieces(word: str) -> list[str]:
    """A word cut where a line may break inside it: between full-width (CJK) characters."""
    pieces: list[str] = []
    for character in word:
        if pieces and (
            character in _CLOSING
            or not (_is_wide(character) or _is_wide(pieces[-1][-1]))
            or unicodedata.combining(character)
        ):
            pieces[-1] += character
        else:
            pieces.append(character)
    return pieces


def _break_word(word: str, *, size: float, width: float) -> list[str]:
    """A word too long for one line, in chunks that fit; alphabetic chunks end in a hyphen."""
    chunks: list[str] = []
    rest = word
    while rest and text_width(rest, size) > width:
        cut = len(rest) - 1
        while cut > 1 and text_width(rest[:cut] + "-", size) > width:
            cut -= 1
        while cut > 1 and unicodedata.combining(rest[cut]):
            cut -= 1  # never part a letter from its accent
        hyphen = "-" if rest[cut - 1].isalpha() and rest[cut].isalpha() else ""
        chunks.append(rest[:cut] + hyphen)
        rest = rest[cut:]
    return [*chunks, rest] if rest else chunks


def wrap(text: str, *, size: float, width: float = TEXT_WIDTH) -> tuple[list[str], int]:
    """`text` on lines at most `width` wide at `size`, and how many lines broken words took."""
    lines: list[str] = []
    line, line_width = "", 0.0
    space = advance(" ") * size
    broken_lines = 0
    for word in text.split():
        for position, piece in enumerate(_pieces(word)):
            piece_width = text_width(piece, size)
            gap = space if line and position == 0 else 0.0
            if line_width + gap + piece_width <= width:
                line += (" " if gap else "") + piece
                line_width += gap + piece_width
                continue
            if line:
                lines.append(line)
            if piece_width <= width:
                line, line_width = piece, piece_width
                continue
            *chunks, line = _break_word(piece, size=size, width=width)
            line_width = text_width(line, size)
            lines += chunks
            broken_lines += len(chunks) + 1
    if line:
        lines.append(line)
    return lines, broken_lines


def _orphaned(lines: list[str]) -> bool:
    """Whether the last of several lines holds a lone character (侍, or the 'I' of a title)."""
    return len(lines) > 1 and len(lines[-1].strip()) == 1


def ellipsize(text: str, *, size: float, width: float = TEXT_WIDTH) -> str:
    """`text` cut to fit `width`, ending in an ellipsis."""
    text = text.rstrip()
    while text and text_width(text + "…", size) > width:
        text = text[:-1].rstrip()
    return text + "…"


def fit(text: str, *, sizes: Sequence[float], height: float, width: float = TEXT_WIDTH) -> Lines:
    """`text` at the largest size of the ladder whose lines fit in `width` × `height`.

    Whole words win over size: a size that must break a word is taken only
    when no size fits without, and then only if the pieces take few lines; a
    lone character on the last line is avoided the same way. As a last
    resort the smallest size is cut short with an ellipsis.
    """

    def allowed(size: float) -> int:
        return max(1, int((height - size * 1.1) // (size * LINE_HEIGHT)) + 1)

    tried = [(size, *wrap(text, size=size, width=width)) for size in sizes]
    fitting = [
        (size, lines, broken) for size, lines, broken in tried if len(lines) <= allowed(size)
    ]
    for accept in (
        lambda lines, broken: broken == 0 and not _orphaned(lines),
        lambda lines, broken: broken == 0,
        lambda lines, broken: broken <= BROKEN_WORD_LINES,
        lambda lines, broken: True,
    ):
        for size, lines, broken in fitting:
            if accept(lines, broken):
                return Lines(size, tuple(lines))
    size, lines, _ = tried[-1]
    kept = lines[: allowed(size)]
    kept[-1] = ellipsize(" ".join(lines[len(kept) - 1 :]), size=size, width=width)
    return Lines(size, tuple(kept))


# Colour -------------------------------------------------------------------


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(
        f"{round(min(max(channel, 0.0), 1.0) * 255):02x}" for channel in (red, green, blue)
    )


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0–1) of the way to `other`, in sRGB as browsers blend."""
    return _hex(*(a + (b - a) * amount for a, b in zip(_rgb(colour), _rgb(other), strict=True)))


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio between two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def gradient_samples(stops: tuple[str, str], count: int = 11) -> list[str]:
    """Colours along a two-stop gradient, ends included."""
    return [mix(stops[0], stops[1], step / (count - 1)) for step in range(count)]


def lowest_contrast(ink: str, stops: tuple[str, str]) -> float:
    """The ink's lowest contrast on the gradient (a blend may be darker than both ends)."""
    return min(contrast_ratio(ink, colour) for colour in gradient_samples(stops))


@lru_cache(maxsize=1024)
def readable(stops: tuple[str, str]) -> Background:
    """The better ink for the stops, with the stops darkened or lightened until it reaches AA."""
    ink = max((LIGHT_INK, DARK_INK), key=lambda candidate: lowest_contrast(candidate, stops))
    away = BLACK if ink == LIGHT_INK else WHITE
    while lowest_contrast(ink, stops) < AA_CONTRAST + 0.05:
        stops = (mix(stops[0], away, 0.06), mix(stops[1], away, 0.06))
    return Background(stops, ink)


def _from_one(colour: str) -> tuple[str, str]:
    """A gentle gradient out of one colour: lit at the top, deeper at the bottom."""
    return mix(colour, WHITE, 0.1), mix(colour, BLACK, 0.3)


def seeded(seed: str) -> int:
    """A number picked from a name, the same every time."""
    return int(hashlib.sha256(seed.encode(errors="surrogatepass")).hexdigest()[:8], 16)


def _neutral(seed: str) -> str:
    """A muted colour picked from a name."""
    return _hex(*colorsys.hls_to_rgb((seeded(seed) % 360) / 360, 0.28, 0.2))


def _nudged(colour: str, seed: str) -> str:
    """The colour turned a few degrees of hue and lightened or deepened a little, by the name.

    So that two crime dramas side by side are kin, not twins.
    """
    number = seeded(seed)
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(colour))
    hue = (hue + (number % 25 - 12) / 360) % 1.0
    lightness = min(max(lightness + ((number >> 8) % 9 - 4) / 100, 0.0), 1.0)
    return _hex(*colorsys.hls_to_rgb(hue, lightness, saturation))


def genre_background(genres: Sequence[str], *, seed: str) -> Background:
    """Two known genres blend into each other, one shades itself, none is a neutral from `seed`."""
    known = sorted(
        {slug for slug in genres if slug in GENRE_COLOURS}, key=list(GENRE_COLOURS).index
    )
    if len(known) >= 2:
        stops = (GENRE_COLOURS[known[0]], GENRE_COLOURS[known[1]])
    else:
        stops = _from_one(GENRE_COLOURS[known[0]] if known else _neutral(seed))
    return readable((_nudged(stops[0], seed), _nudged(stops[1], seed)))


def department_background(department: str | None, *, seed: str) -> Background:
    """A person's colour, from their department (a neutral from `seed` when unknown)."""
    colour = DEPARTMENT_COLOURS.get(department or "") or _neutral(seed)
    return readable(_from_one(_nudged(colour, seed)))


# Drawing ------------------------------------------------------------------

RULE = 12 + 2 + 10  # the gap above the short rule under the title, the rule, the gap below
GAP = 5  # between the lines under the rule


def xml_text(text: str) -> str:
    """Text safe anywhere in an XML document: invalid characters dropped, markup escaped."""
    return str(escape(_NOT_XML_CHARACTER.sub("", text)))


def _direction(text: str) -> str:
    """'rtl' when the first letter with a direction is Arabic, Hebrew or another RTL script."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _language(text: str) -> str | None:
    """'ja' or 'ko' when kana or hangul show it, so Han characters get that script's glyphs."""
    for character in text:
        name = unicodedata.name(character, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if name.startswith("HANGUL"):
            return "ko"
    return None


def _draw(lines: Lines, *, top: float) -> list[str]:
    """Each line as a centred <text>; the whole text decides the direction and language."""
    whole = " ".join(lines.lines)
    attributes = f' font-size="{lines.size:g}" font-weight="{lines.weight}"'
    if lines.spacing:
        attributes += f' letter-spacing="{lines.spacing:g}"'
    if _direction(whole) == "rtl":
        attributes += ' direction="rtl"'
    if language := _language(whole):
        attributes += f' xml:lang="{language}"'
    return [
        f'<text x="{WIDTH / 2:g}" y="{top + lines.size * (0.84 + number * lines.leading):.1f}"'
        f"{attributes}>{xml_text(line)}</text>"
        for number, line in enumerate(lines.lines)
    ]


def _stack_height(title: Lines, below: Sequence[Lines]) -> float:
    """How tall the title, the rule and the lines under it stand."""
    shown = [lines for lines in below if lines.lines]
    if not shown:
        return title.height
    return title.height + RULE + sum(lines.height for lines in shown) + GAP * (len(shown) - 1)


def _stack(title: Lines, below: Sequence[Lines], *, top: float) -> list[str]:
    """The title's lines, a short rule, then the smaller lines under it, centred."""
    parts = _draw(title, top=top)
    y = top + title.height
    shown = [lines for lines in below if lines.lines]
    if shown:
        parts.append(f'<rect x="{WIDTH / 2 - 14:g}" y="{y + 12:g}" width="28" height="2"/>')
        y += RULE
    for index, lines in enumerate(shown):
        y += GAP if index else 0
        parts += _draw(lines, top=y)
        y += lines.height
    return parts


def _small(text: str, *, size: float, weight: int, spacing: float = 0.0) -> Lines:
    """One smaller line (a year, a department), shrunk and then cut to fit."""
    style = Lines(size, (), weight=weight, spacing=spacing)
    if not text:
        return style
    for candidate in (size, *(smaller for smaller in CREDIT_SIZES if smaller < size)):
        if text_width(text, candidate, spacing=spacing) <= TEXT_WIDTH:
            return replace(style, size=candidate, lines=(text,))
    size = CREDIT_SIZES[-1]
    cut = ellipsize(text, size=size, width=TEXT_WIDTH - spacing * len(text))
    return replace(style, size=size, lines=(cut,))


def credit(directors: Sequence[str]) -> Lines:
    """The directors: on one line if they fit, else one name a line, else wrapped and cut."""
    names = list(dict.fromkeys(name.strip() for name in directors if name.strip()))
    style = Lines(CREDIT_SIZES[0], (), weight=500, leading=1.3)
    if not names:
        return style
    if len(names) == 1:
        apart = names
    elif len(names) == 2:
        apart = [f"{names[0]} &", names[1]]
    else:
        apart = [f"{names[0]},", f"{names[1]} & others"]
    joined = " ".join(apart)
    for size in CREDIT_SIZES:
        for lines in ([joined], apart):
            if all(text_width(line, size) <= TEXT_WIDTH for line in lines):
                return replace(style, size=size, lines=tuple(lines))
    fitted = fit(joined, sizes=CREDIT_SIZES, height=CREDIT_SIZES[0] * (1.1 + 1.3))
    return replace(style, size=fitted.size, lines=fitted.lines)


def _document(name: str, background: Background, decoration: str, body: list[str]) -> str:
    first, second = background.stops
    shade = background.shade
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img">',
            f"<title>{xml_text(name)}</title>",
            "<defs>",
            '<linearGradient id="bg" x1="0" y1="0" x2="0.55" y2="1">',
            f'<stop offset="0" stop-color="{first}"/><stop offset="1" stop-color="{second}"/>',
            "</linearGradient>",
            '<radialGradient id="vignette" cx="0.5" cy="0.42" r="0.8">',
            f'<stop offset="0.5" stop-color="{shade}" stop-opacity="0"/>',
            f'<stop offset="1" stop-color="{shade}" stop-opacity="0.4"/>',
            "</radialGradient>",
            "</defs>",
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>',
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#vignette)"/>',
            f'<g fill="{shade}">{decoration}</g>',
            f'<g fill="{background.ink}" font-family="{FONT_FAMILY}" text-anchor="middle">',
            *body,
            "</g></svg>",
        ]
    )


# Decorations are drawn in the shade colour, so they only deepen the contrast.
SPROCKETS = (
    '<path opacity="0.3" stroke-width="6" stroke-dasharray="9 7" stroke="currentColor" '
    'd="M7.5 11H193M7.5 289H193"/>'
)
SILHOUETTE = (
    '<g opacity="0.24"><circle cx="100" cy="74" r="28"/>'
    '<path d="M50 156c0-33 22-50 50-50s50 17 50 50z"/></g>'
)


@lru_cache(maxsize=4096)
def movie_digest(title: str, year: int | None) -> str:
    """What a film's placeholder URL carries: it changes with the title, the year or the design."""
    return hashlib.sha256(
        f"{_DESIGN}|movie|{title}|{year}".encode(errors="surrogatepass")
    ).hexdigest()[:12]


@lru_cache(maxsize=4096)
def person_digest(name: str, department: str | None) -> str:
    """What a person's placeholder URL carries: it changes with the name, department or design."""
    return hashlib.sha256(
        f"{_DESIGN}|person|{name}|{department}".encode(errors="surrogatepass")
    ).hexdigest()[:12]


def movie_poster(
    *, title: str, year: int | None, directors: Sequence[str] = (), genres: Sequence[str] = ()
) -> Drawn:
    """A 2:3 poster: the title in type that fits, year and director below, in genre colours."""
    year_line = _small(str(year) if year else "", size=YEAR_SIZE, weight=600, spacing=YEAR_SPACING)
    below = [year_line, credit(directors)]
    room = HEIGHT - 2 * 28 - _stack_height(Lines(0, ()), below)
    title_lines = fit(title.strip(), sizes=TITLE_SIZES, height=room)
    top = (HEIGHT - _stack_height(title_lines, below)) / 2 - 6
    body = _stack(title_lines, below, top=max(top, 28.0))
    background = genre_background(genres, seed=title)
    sprockets = SPROCKETS.replace("currentColor", background.shade)
    return Drawn(_document(title, background, sprockets, body), movie_digest(title, year))


def person_portrait(*, name: str, department: str | None) -> Drawn:
    """A 2:3 card for someone without a photo: name and department, in the department's colour."""
    label = _small(
        (department or "").upper(), size=DEPARTMENT_SIZE, weight=600, spacing=DEPARTMENT_SPACING
    )
    text_top, text_bottom = 168.0, HEIGHT - 22.0
    room = text_bottom - text_top - _stack_height(Lines(0, ()), [label])
    name_lines = fit(name.strip(), sizes=NAME_SIZES, height=room)
    spare = text_bottom - text_top - _stack_height(name_lines, [label])
    body = _stack(name_lines, [label], top=text_top + max(spare, 0) / 2)
    background = department_background(department, seed=name)
    return Drawn(_document(name, background, SILHOUETTE, body), person_digest(name, department))
